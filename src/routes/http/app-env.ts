// The Hono environment shared by every route: bindings plus what middleware puts on the context.

import type { Bindings } from "../../bindings";
import type { ServiceContext } from "../../services/context";
import type { AuthenticatedCaller } from "../../services/token-verification";

export interface AppEnv {
  Bindings: Bindings;
  Variables: {
    services: ServiceContext;
    caller: AuthenticatedCaller;
  };
}
