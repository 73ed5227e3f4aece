// NAP's X-NAP-API-Key as edge-auth API keys (issue 14): with DIALECT_NAP_REQUIRE_API_KEY, a key
// holding the `nap` scope admits a NAP client; a key without it, a revoked, mistyped or unknown one is
// refused in the origin's {"error"} shape before any work; configured secrets keep working beside them.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Bindings } from "../src/bindings";
import { uniqueEmail } from "./support/accounts";
import { accountWithKey, unknownKey } from "./support/api-keys";
import { configWith, refusalOf } from "./support/config";
import { expectModel, LoginResultModel, napSession, SDK_HEADERS, signUpBody } from "./support/dialect-nap";
import { expectDialectError } from "./support/dialects";
import { call, callWith } from "./support/http";

const SECRET = "nap-client-key-0123456789";

function sender(bindings: Bindings) {
  return (path: string, headers: Record<string, string>, json: unknown) =>
    callWith(bindings, "POST", path, { headers: { ...SDK_HEADERS, ...headers }, json });
}

const required = sender({ ...env, DIALECT_NAP_REQUIRE_API_KEY: "true" } as Bindings);
const withSecret = sender({ ...env, DIALECT_NAP_REQUIRE_API_KEY: "true", DIALECT_NAP_API_KEYS: SECRET } as Bindings);

describe("X-NAP-API-Key as an API key with the nap scope", () => {
  it("admits a key holding nap, and answers NAP's login", async () => {
    const { key } = await accountWithKey(["nap"]);
    const { email, password } = await napSession();
    const login = await required("/api/auth/login", { "X-NAP-API-Key": key.api_key }, { email, password });
    await expectModel(login, 200, LoginResultModel);
  });

  it("refuses a key without nap, a revoked, a mistyped and an unknown key alike, writing nothing", async () => {
    const { key: verifyOnly } = await accountWithKey(["verify"]);
    const { account: holder, key: dead } = await accountWithKey(["nap"]);
    expect((await call("DELETE", `/v1/keys/${dead.id}`, { token: holder.tokens.access_token })).status).toBe(204);
    const mistyped = `${dead.api_key.slice(0, -1)}${dead.api_key.endsWith("a") ? "b" : "a"}`;
    const email = uniqueEmail("nap-key");
    for (const presented of [verifyOnly.api_key, dead.api_key, mistyped, await unknownKey()]) {
      const response = await required("/api/auth/signup", { "X-NAP-API-Key": presented }, signUpBody(email));
      await expectDialectError(response, 401, { error: "Invalid API key" });
    }
    expect(await env.DB.prepare("SELECT id FROM users WHERE email = ?").bind(email).first()).toBeNull();
  });

  it("asks for a key when none is sent", async () => {
    const response = await required("/api/auth/signup", {}, signUpBody(uniqueEmail("nap-key")));
    await expectDialectError(response, 401, { error: "Missing API key" });
  });

  it("takes a configured secret and an API key side by side", async () => {
    const { key } = await accountWithKey(["nap"]);
    const { email, password } = await napSession();
    for (const presented of [SECRET, key.api_key]) {
      const login = await withSecret("/api/auth/login", { "X-NAP-API-Key": presented }, { email, password });
      await expectModel(login, 200, LoginResultModel);
    }
  });

  it("stamps the key's last use, as every use of an API key is", async () => {
    const { key } = await accountWithKey(["nap"]);
    const { email, password } = await napSession();
    await required("/api/auth/login", { "X-NAP-API-Key": key.api_key }, { email, password });
    const row = await env.DB.prepare("select last_used_at from api_keys where id = ?").bind(key.id).first();
    expect(row?.last_used_at).toEqual(expect.any(Number));
  });
});

describe("DIALECT_NAP_REQUIRE_API_KEY", () => {
  it("is on when set or when DIALECT_NAP_API_KEYS lists a secret", () => {
    expect(configWith({ DIALECT_NAP_REQUIRE_API_KEY: "true" }).dialectPolicy.napApiKeyRequired).toBe(true);
    expect(configWith({ DIALECT_NAP_API_KEYS: SECRET }).dialectPolicy.napApiKeyRequired).toBe(true);
  });

  it("refuses a value that is not true or false", () => {
    expect(refusalOf({ DIALECT_NAP_REQUIRE_API_KEY: "yes please" })).toMatch(/DIALECT_NAP_REQUIRE_API_KEY/);
  });
});
