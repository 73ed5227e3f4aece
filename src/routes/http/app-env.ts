// The Hono environment shared by every route: bindings plus what middleware puts on the context.

import type { Bindings } from "../../bindings";
import type { ApiKeyPrincipal } from "../../services/api-key-model";
import type { ServiceContext } from "../../services/context";
import type { Principal } from "../../services/principal";

export interface AppEnv {
  Bindings: Bindings;
  Variables: {
    services: ServiceContext;
    /** Who an authenticated route acts for (set by requireCaller). */
    principal: Principal;
    /** The API key a key-authenticated route was called with (set by src/routes/http/api-key-auth.ts). */
    apiKey: ApiKeyPrincipal;
  };
}
