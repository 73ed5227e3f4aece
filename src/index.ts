// The Worker's entry: the HTTP app as the default export, the Cron Trigger's data retention, and the
// RPC entrypoint for other Workers.

import { createApp } from "./app";
import type { Bindings } from "./bindings";
import { getServiceContext } from "./context";
import { runDataRetention } from "./services/data-retention";

export { AuthService } from "./rpc/auth-service";

const app = createApp();

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
  // The only schedule (wrangler.toml [triggers]) is data retention; each run is bounded, see the service.
  scheduled: async (_controller, env, _ctx) => {
    await runDataRetention(await getServiceContext(env));
  },
} satisfies ExportedHandler<Bindings>;
