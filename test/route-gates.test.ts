// Every route the app mounts, found from the router itself (not from a list kept by hand), is either
// gated per client IP (the 61st request in a minute from one address answers 429) or refuses an
// unauthenticated caller before doing any work (401 invalid_token), or is one of the few public
// documents and pages named below with the reason they need no gate. A new route that forgets its
// operation's gate fails here.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { parseDialectsEnv } from "../src/config/dialects-env";
import { DEV_ROUTES } from "../src/dev";
import { call, readJson } from "./support/http";
import { awaitFreshMinute, randomIp } from "./support/throttle";

const IP_LIMIT = 60;

/** Routes that need no per-IP gate, and why. */
const UNGATED: Record<string, string> = {
  "POST /v1/token/verify": "guesses no secret, writes nothing; backends call it for every request",
  "GET /health": "liveness, no work",
  "GET /.well-known/jwks.json": "public keys",
  "GET /.well-known/openid-configuration": "public document",
  "GET /openapi.json": "public document",
  "GET /docs": "static page",
  "GET /verify-email": "shows a form only; the POST is gated",
  "GET /reset-password": "shows a form only; the POST is gated",
  "GET /dev/outbox": "absent outside dev (404)",
  "GET /user/home": "BioEntrust's fixed greeting: no input, no work",
};

/** The dialects the test Worker mounts (vitest.config.ts DIALECTS), so their routes are walked too. */
function testDialects() {
  const parsed = parseDialectsEnv({ DIALECTS: env.DIALECTS });
  if (!parsed.ok) throw new Error(parsed.problems.join("; "));
  return parsed.value;
}

/** Paths of the native API: the app without dialects. A dialect answers in its own shape instead. */
const NATIVE_ROUTE_PATHS = new Set(createApp([], DEV_ROUTES).routes.map((route) => route.path));

function mountedRoutes(): { method: string; path: string }[] {
  const seen = new Set<string>();
  const routes: { method: string; path: string }[] = [];
  for (const route of createApp(testDialects(), DEV_ROUTES).routes) {
    if (route.method === "ALL" || route.path.includes("*")) continue;
    const key = `${route.method} ${route.path}`;
    if (seen.has(key)) continue;
    seen.add(key);
    routes.push({ method: route.method, path: route.path });
  }
  return routes;
}

const concretePath = (path: string) => path.replace(/:[a-z_]+/gi, crypto.randomUUID());

describe("every mounted route", { timeout: 120_000 }, () => {
  const routes = mountedRoutes();

  it("is found from the router: the sign-up, login and every MFA route are among them", () => {
    const keys = routes.map((route) => `${route.method} ${route.path}`);
    for (const key of ["POST /v1/signup", "POST /v1/login", "POST /v1/login/mfa", "DELETE /v1/sessions/:id"]) {
      expect(keys).toContain(key);
    }
    expect(routes.length).toBeGreaterThan(25);
    // Every dialect vitest.config.ts mounts is walked as well.
    expect(testDialects().map((mount) => mount.name)).toEqual(["crema", "bookings", "nap", "wolfpal", "bioentrust"]);
  });

  for (const { method, path } of routes) {
    const key = `${method} ${path}`;
    if (UNGATED[key]) continue;
    it(`${key} is gated per IP or refuses callers without a token first`, async () => {
      await awaitFreshMinute(5_000);
      const ip = randomIp();
      const options = method === "GET" ? { ip } : { ip, json: {} };
      const responses = await Promise.all(
        Array.from({ length: IP_LIMIT }, () => call(method, concretePath(path), options)),
      );
      const last = await call(method, concretePath(path), options);
      const statuses = [...responses.map((response) => response.status), last.status];
      const native = NATIVE_ROUTE_PATHS.has(path);
      if (last.status === 429) {
        // A dialect answers in its own shape (docs/dialects.md); the native API with its problem code.
        expect(Number(last.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
        if (native) expect(await readJson(last)).toMatchObject({ code: "rate_limited" });
        expect(statuses.filter((status) => status === 429).length).toBeLessThanOrEqual(1);
        return;
      }
      // Not gated: then it must be a bearer route, refusing every anonymous call before any work.
      expect(statuses).toEqual(Array(IP_LIMIT + 1).fill(401));
      if (native) expect(await readJson(last)).toMatchObject({ code: "invalid_token" });
    });
  }

  it("names only routes that exist among the ungated ones", () => {
    const keys = new Set(routes.map((route) => `${route.method} ${route.path}`));
    for (const key of Object.keys(UNGATED)) expect(keys.has(key), key).toBe(true);
  });
});
