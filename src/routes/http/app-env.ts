// The Hono environment shared by every route: bindings plus what middleware puts on the context.

import type { Bindings } from "../../bindings";
import type { ServiceContext } from "../../services/context";
import type { Principal } from "../../services/principal";

export interface AppEnv {
  Bindings: Bindings;
  Variables: {
    services: ServiceContext;
    /** Who an authenticated route acts for (set by requireCaller). */
    principal: Principal;
  };
}
