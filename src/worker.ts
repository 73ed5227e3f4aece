// The Worker's handlers, built once per entry: the HTTP app (per env object, as the service context
// is: once per isolate), and the Cron Trigger's data retention. src/index.ts is the production entry;
// src/dev.ts is the same Worker with the dev-only routes added.

import type { Hono } from "hono";
import { createApp } from "./app";
import type { Bindings } from "./bindings";
import { parseDialectsEnv } from "./config/dialects-env";
import { getServiceContext } from "./context";
import type { AppEnv } from "./routes/http/app-env";
import { runDataRetention } from "./services/data-retention";

export function createWorker(extraRoutes: readonly Hono<AppEnv>[] = []) {
  // The routes depend on config (which dialects, under which prefixes), so the app is built per env.
  const apps = new WeakMap<Bindings, ReturnType<typeof createApp>>();

  function appFor(env: Bindings): ReturnType<typeof createApp> {
    let app = apps.get(env);
    if (!app) {
      const dialects = parseDialectsEnv(env as unknown as Record<string, unknown>);
      // A refused dialect config mounts none; the full config read then refuses every request, naming it.
      app = createApp(dialects.ok ? dialects.value : [], extraRoutes);
      apps.set(env, app);
    }
    return app;
  }

  return {
    fetch: (request, env, ctx) => appFor(env).fetch(request, env, ctx),
    // The only schedule (wrangler.toml [triggers]) is data retention; each run is bounded, see the service.
    scheduled: async (_controller, env, _ctx) => {
      await runDataRetention(await getServiceContext(env));
    },
  } satisfies ExportedHandler<Bindings>;
}
