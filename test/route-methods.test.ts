// Every path of the native API, found from the router itself (not from a list kept by hand), answers
// a method it does not serve with 405 method_not_allowed and an Allow header naming exactly the
// methods the router serves there (RFC 9110 §15.5.6). A new route whose path app.ts does not know
// fails here rather than answering 404 to a wrong method.
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { DEV_ROUTES } from "../src/dev";
import { call, readJson } from "./support/http";

const concretePath = (path: string) => path.replace(/:[a-z_]+/gi, crypto.randomUUID());

/**
 * Each path of the native API with the methods the router serves there. Left out: the dev build's
 * /dev/… routes (404 unless the dev outbox or identity provider is on), and paths with their own
 * catch-all (`ALL`), which answer 405 behind their gate (the admin import: tested in its suite).
 */
function methodsByPath(): Map<string, Set<string>> {
  const routes = createApp([], DEV_ROUTES).routes.filter((route) => !route.path.includes("*"));
  const ownCatchAll = new Set(routes.filter((route) => route.method === "ALL").map((route) => route.path));
  const byPath = new Map<string, Set<string>>();
  for (const route of routes) {
    if (route.method === "ALL" || ownCatchAll.has(route.path) || route.path.startsWith("/dev/")) continue;
    const methods = byPath.get(route.path) ?? new Set<string>();
    methods.add(route.method);
    byPath.set(route.path, methods);
  }
  return byPath;
}

describe("a method a path does not serve", { timeout: 120_000 }, () => {
  const paths = [...methodsByPath()];

  it("is found for the paths of every part of the API", () => {
    const all = paths.map(([path]) => path);
    for (const path of ["/v1/signup", "/v1/keys/:id/roll", "/v1/orgs/:id/api-keys/:keyId", "/v1/admin/users/:id"]) {
      expect(all).toContain(path);
    }
  });

  it.each(paths)("%s answers 405 with Allow naming what it serves", async (path, methods) => {
    const wrong = ["PUT", "PATCH", "DELETE", "POST"].find((method) => !methods.has(method)) ?? "OPTIONS";
    const response = await call(wrong, concretePath(path));
    expect(response.status).toBe(405);
    expect(await readJson(response)).toMatchObject({ code: "method_not_allowed" });
    const allow = (response.headers.get("Allow") ?? "").split(", ");
    // HEAD is served wherever GET is (Hono answers it from the GET route).
    expect(new Set(allow.filter((method) => method !== "HEAD"))).toEqual(methods);
  });
});
