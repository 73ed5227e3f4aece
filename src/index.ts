// The Worker's entry: the HTTP app as the default export, and the RPC entrypoint for other Workers.

import { createApp } from "./app";
import type { Bindings } from "./bindings";

export { AuthService } from "./rpc/auth-service";

const app = createApp();

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
} satisfies ExportedHandler<Bindings>;
