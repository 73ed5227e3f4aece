// Better Auth's email/password core as a Worker on D1 (its built-in Kysely D1 dialect: `database:
// env.DB`). The instance is built once per isolate and reused, the fastest way to run it, so the
// comparison is with Better Auth at its best rather than with a per-request `betterAuth()`.
//   GET /health       the floor: no auth work
//   /api/auth/*       Better Auth's handler (sign-up/email, sign-in/email, get-session, ...)
import { betterAuth } from "better-auth";

const instances = new WeakMap();

function authFor(env) {
  let auth = instances.get(env);
  if (!auth) {
    auth = betterAuth({
      database: env.DB,
      secret: env.BETTER_AUTH_SECRET,
      baseURL: env.BETTER_AUTH_URL,
      emailAndPassword: { enabled: true },
      // On, as in production; keyed by the client IP that Cloudflare sets, as edge-auth's limit is.
      rateLimit: { enabled: true },
      advanced: { ipAddress: { ipAddressHeaders: ["cf-connecting-ip"] } },
      telemetry: { enabled: false },
    });
    instances.set(env, auth);
  }
  return auth;
}

export default {
  fetch(request, env) {
    const { pathname } = new URL(request.url);
    if (pathname === "/health") return Response.json({ status: "ok" });
    if (pathname.startsWith("/api/auth/")) return authFor(env).handler(request);
    return Response.json({ error: "not found" }, { status: 404 });
  },
};
