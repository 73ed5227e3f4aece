// Public documents (JWKS, OpenID discovery, OpenAPI, docs, health) and the answers for unknown
// paths and wrong methods.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { signUp } from "./support/accounts";
import { call, readJson } from "./support/http";

interface Jwk {
  kid: string;
  alg: string;
  use: string;
  kty: string;
  [member: string]: unknown;
}

const CONFIGURED_KEYS = (JSON.parse(env.SIGNING_KEYS) as { keys: Jwk[] }).keys;
/** Private members of EC and OKP keys (RFC 7518 §6.2.2, RFC 8037 §2) and of RSA keys (§6.3.2). */
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

describe("GET /.well-known/jwks.json", () => {
  it("publishes every configured key, in order, with kid, alg and use", async () => {
    const response = await call("GET", "/.well-known/jwks.json");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
    const { keys } = await readJson<{ keys: Jwk[] }>(response);
    expect(keys.map((key) => [key.kid, key.alg, key.use])).toEqual(
      CONFIGURED_KEYS.map((key) => [key.kid, key.alg, "sig"]),
    );
    expect(keys.map((key) => key.alg)).toEqual(["ES256", "EdDSA"]);
  });

  it("holds only public members: no d or any other private parameter", async () => {
    const { keys } = await readJson<{ keys: Jwk[] }>(await call("GET", "/.well-known/jwks.json"));
    for (const key of keys) {
      for (const member of PRIVATE_MEMBERS) expect(key).not.toHaveProperty(member);
      const configured = CONFIGURED_KEYS.find((candidate) => candidate.kid === key.kid);
      expect(key.x).toBe(configured?.x);
    }
    const text = JSON.stringify(keys);
    for (const configured of CONFIGURED_KEYS) expect(text).not.toContain(String(configured.d));
  });

  it("can be cached by verifiers for a bounded time", async () => {
    const response = await call("GET", "/.well-known/jwks.json");
    const cacheControl = response.headers.get("Cache-Control") ?? "";
    expect(cacheControl).toMatch(/\bpublic\b/);
    const maxAge = Number(/max-age=(\d+)/.exec(cacheControl)?.[1]);
    expect(maxAge).toBeGreaterThan(0);
    expect(maxAge).toBeLessThanOrEqual(3600);
  });
});

describe("GET /.well-known/openid-configuration", () => {
  it("names the issuer, the JWKS address and the signing algorithms", async () => {
    const response = await call("GET", "/.well-known/openid-configuration");
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toMatch(/max-age=\d+/);
    const document = await readJson(response);
    expect(document).toMatchObject({
      issuer: "https://auth.test",
      jwks_uri: "https://auth.test/.well-known/jwks.json",
      introspection_endpoint: "https://auth.test/v1/token/verify",
    });
    expect(document.id_token_signing_alg_values_supported).toEqual(["ES256", "EdDSA"]);
  });

  it("points jwks_uri at a document this Worker actually serves", async () => {
    const document = await readJson<{ jwks_uri: string }>(await call("GET", "/.well-known/openid-configuration"));
    const path = new URL(document.jwks_uri).pathname;
    expect((await call("GET", path)).status).toBe(200);
  });
});

/** Every route the router knows under /v1, as "METHOD /path" with OpenAPI's {param} syntax. */
function routerOperations(): string[] {
  const operations = createApp()
    .routes.filter((route) => route.path.startsWith("/v1/") && route.method !== "ALL")
    .map((route) => `${route.method} ${route.path.replace(/:(\w+)/g, "{$1}")}`);
  return [...new Set(operations)].sort();
}

describe("GET /openapi.json", () => {
  it("is an OpenAPI 3.1 document for this issuer", async () => {
    const response = await call("GET", "/openapi.json");
    expect(response.status).toBe(200);
    const document = await readJson(response);
    expect(document.openapi).toMatch(/^3\.1\.\d+$/);
    expect(document.servers).toEqual([{ url: "https://auth.test" }]);
  });

  it("lists exactly the /v1 operations the router serves, each with its methods", async () => {
    const document = await readJson<{ paths: Record<string, Record<string, unknown>> }>(
      await call("GET", "/openapi.json"),
    );
    const documented = Object.entries(document.paths)
      .filter(([path]) => path.startsWith("/v1/"))
      .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    const served = routerOperations();
    expect(served).toEqual(expect.arrayContaining(["POST /v1/signup", "GET /v1/me", "DELETE /v1/sessions/{id}"]));
    expect(documented).toEqual(served);
  });

  it("resolves every $ref to a schema in components", async () => {
    const document = await readJson<{ components: { schemas: Record<string, unknown> } }>(
      await call("GET", "/openapi.json"),
    );
    const references = [...JSON.stringify(document).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)];
    expect(references.length).toBeGreaterThan(0);
    for (const [, name] of references) expect(document.components.schemas).toHaveProperty(String(name));
  });

  it("marks the bearer routes as secured and documents their 401", async () => {
    const document = await readJson<{ paths: Record<string, Record<string, Record<string, unknown>>> }>(
      await call("GET", "/openapi.json"),
    );
    const me = document.paths["/v1/me"]?.get;
    expect(me?.security).toEqual([{ bearerAuth: [] }]);
    expect(me?.responses).toHaveProperty("401");
    expect(document.paths["/v1/signup"]?.post).not.toHaveProperty("security");
  });
});

describe("GET /docs", () => {
  it("answers an HTML page that loads the OpenAPI document", async () => {
    const response = await call("GET", "/docs");
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/^text\/html/);
    const html = await response.text();
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain("/openapi.json");
  });
});

describe("GET /health", () => {
  it("answers ok and is never cached", async () => {
    const response = await call("GET", "/health");
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    expect(await readJson(response)).toEqual({ status: "ok" });
  });
});

describe("unknown paths and wrong methods", () => {
  it("answers an unknown path with a 404 not_found problem", async () => {
    for (const path of ["/nope", "/v1/unknown", "/v1/me/extra", "/.well-known/other"]) {
      const response = await call("GET", path);
      expect(response.status).toBe(404);
      expect(response.headers.get("Content-Type")).toBe("application/problem+json");
      expect(await readJson(response)).toMatchObject({ code: "not_found", status: 404 });
    }
  });

  const wrongMethods: [string, string, string][] = [
    ["GET", "/v1/login", "POST"],
    ["GET", "/v1/signup", "POST"],
    ["DELETE", "/v1/token/verify", "POST"],
    ["PUT", "/v1/me", "GET, PATCH, DELETE"],
    ["POST", "/v1/sessions", "GET, DELETE"],
    ["POST", "/.well-known/jwks.json", "GET"],
    ["DELETE", "/health", "GET"],
  ];

  for (const [method, path, allow] of wrongMethods) {
    it(`answers ${method} ${path} with 405 method_not_allowed and Allow: ${allow}`, async () => {
      const response = await call(method, path);
      expect(response.status).toBe(405);
      expect(response.headers.get("Allow")).toBe(allow);
      expect(response.headers.get("Content-Type")).toBe("application/problem+json");
      expect(await readJson(response)).toMatchObject({ code: "method_not_allowed", status: 405 });
    });
  }

  it("answers a wrong method on a bearer route with 405 also for a signed-in caller", async () => {
    const account = await signUp();
    const response = await call("PUT", "/v1/me", { token: account.tokens.access_token, json: { name: "x" } });
    expect(response.status).toBe(405);
    expect(response.headers.get("Allow")).toBe("GET, PATCH, DELETE");
  });

  it("answers every method the Allow header names with something other than 405", async () => {
    for (const [, path, allow] of wrongMethods) {
      for (const method of allow.split(", ")) {
        expect((await call(method, path)).status, `${method} ${path}`).not.toBe(405);
      }
    }
  });
});
