// The Worker's entry: the HTTP app as the default export, the Cron Trigger's data retention, and the
// RPC entrypoint for other Workers.

import { createApp } from "./app";
import type { Bindings } from "./bindings";
import { parseDialectsEnv } from "./config/dialects-env";
import { getServiceContext } from "./context";
import { runDataRetention } from "./services/data-retention";

export { AuthService } from "./rpc/auth-service";

// The routes depend on config (which dialects, under which prefixes), so the app is built per env
// object, as the service context is: once per isolate.
const apps = new WeakMap<Bindings, ReturnType<typeof createApp>>();

function appFor(env: Bindings): ReturnType<typeof createApp> {
  let app = apps.get(env);
  if (!app) {
    const dialects = parseDialectsEnv(env as unknown as Record<string, unknown>);
    // A refused dialect config mounts none; the full config read then refuses every request, naming it.
    app = createApp(dialects.ok ? dialects.value : []);
    apps.set(env, app);
  }
  return app;
}

export default {
  fetch: (request, env, ctx) => appFor(env).fetch(request, env, ctx),
  // The only schedule (wrangler.toml [triggers]) is data retention; each run is bounded, see the service.
  scheduled: async (_controller, env, _ctx) => {
    await runDataRetention(await getServiceContext(env));
  },
} satisfies ExportedHandler<Bindings>;
