// POST /v1/oauth/token, grant_type=client_credentials (RFC 6749 §4.4): an API key for a short-lived
// access token that verifies by JWKS, carries only the key's scopes, opens no route that needs a
// person's session, and dies with its key.
import { exports } from "cloudflare:workers";
import { createLocalJWKSet, type JSONWebKeySet, jwtVerify } from "jose";
import { describe, expect, it } from "vitest";
import { claimsOf } from "./support/accounts";
import { accountWithKey, createKey, unknownKey, verifyWithKey } from "./support/api-keys";
import { freezeClock } from "./support/clock";
import { type CallOptions, call, expectRefusedAsBearer, readJson } from "./support/http";

const GRANT = { grant_type: "client_credentials" };
const basic = (id: string, secret: string) => ({ Authorization: `Basic ${btoa(`${id}:${secret}`)}` });

/** The grant as a form, unless `options` brings its own body. */
function exchange(options: CallOptions): Promise<Response> {
  const ownBody = options.body !== undefined || options.json !== undefined;
  return call("POST", "/v1/oauth/token", { ...(ownBody ? {} : { form: GRANT }), ...options });
}

async function tokenFor(options: CallOptions): Promise<{ access_token: string; expires_in: number; scope: string }> {
  const response = await exchange(options);
  expect(response.status).toBe(200);
  return readJson(response);
}

async function expectOAuthError(response: Response, status: number, error: string): Promise<void> {
  expect(response.status).toBe(status);
  expect(response.headers.get("Cache-Control")).toBe("no-store");
  expect(await readJson(response)).toMatchObject({ error });
}

describe("client_credentials", () => {
  it("answers a Bearer token for a key sent by Basic, in the body, as Bearer or in X-API-Key", async () => {
    const { key } = await accountWithKey(["verify", "nap"]);
    const ways: CallOptions[] = [
      { headers: basic(key.id, key.api_key) },
      { form: { ...GRANT, client_id: key.id, client_secret: key.api_key } },
      { form: { ...GRANT, client_secret: key.api_key } },
      { token: key.api_key },
      { headers: { "X-API-Key": key.api_key } },
    ];
    for (const way of ways) {
      const response = await exchange(way);
      expect(response.status).toBe(200);
      expect(response.headers.get("Cache-Control")).toBe("no-store");
      const body = await readJson(response);
      expect(body).toEqual({
        access_token: expect.any(String),
        token_type: "Bearer",
        expires_in: 900,
        scope: "verify nap",
      });
    }
  });

  it("signs a token any JWKS verifier accepts, for the owner, naming the key and only its scopes", async () => {
    const { account, key } = await accountWithKey(["nap"]);
    const { access_token } = await tokenFor({ headers: basic(key.id, key.api_key) });
    const jwks = await readJson<JSONWebKeySet>(await call("GET", "/.well-known/jwks.json"));
    const { payload, protectedHeader } = await jwtVerify(access_token, createLocalJWKSet(jwks), {
      issuer: "https://auth.test",
      audience: "edge-auth-test",
      typ: "at+jwt",
    });
    expect(protectedHeader.alg).toBe("ES256");
    expect(payload).toMatchObject({ sub: account.userId, client_id: key.id, sid: key.id, scope: "nap", amr: [] });
    expect(Number(payload.exp) - Number(payload.iat)).toBe(900);
  });

  it("narrows to the scopes asked for, and refuses any the key does not hold (invalid_scope)", async () => {
    const { key } = await accountWithKey(["verify", "nap"]);
    const auth = { headers: basic(key.id, key.api_key) };
    expect((await tokenFor({ ...auth, form: { ...GRANT, scope: "nap" } })).scope).toBe("nap");
    for (const scope of ["admin", "verify admin", "write", "nap  verify", '"nap"']) {
      await expectOAuthError(await exchange({ ...auth, form: { ...GRANT, scope } }), 400, "invalid_scope");
    }
  });

  it("is accepted by /v1/token/verify and RPC verifyToken, with its client_id and scope", async () => {
    const { account, key } = await accountWithKey();
    const { access_token } = await tokenFor({ token: key.api_key });
    const verified = await readJson(await call("POST", "/v1/token/verify", { json: { token: access_token } }));
    expect(verified).toMatchObject({ active: true, sub: account.userId, client_id: key.id, scope: "verify" });
    expect(await exports.AuthService.verifyToken(access_token)).toMatchObject({
      valid: true,
      claims: { client_id: key.id, scope: "verify" },
    });
  });

  it("opens no route that needs a person's session: /v1/me, /v1/keys, /v1/sessions, logout refuse it", async () => {
    const { key } = await accountWithKey();
    const { access_token } = await tokenFor({ token: key.api_key });
    await expectRefusedAsBearer(await call("GET", "/v1/me", { token: access_token }));
    await expectRefusedAsBearer(await call("GET", "/v1/keys", { token: access_token }));
    await expectRefusedAsBearer(await call("GET", "/v1/sessions", { token: access_token }));
    await expectRefusedAsBearer(await call("POST", "/v1/logout", { token: access_token }));
    const minted = await call("POST", "/v1/keys", { token: access_token, json: { name: "x", scopes: ["verify"] } });
    await expectRefusedAsBearer(minted);
  });

  it("dies with its key: after a revoke, verify and RPC refuse the token and the key exchanges no more", async () => {
    const { account, key } = await accountWithKey();
    const { access_token } = await tokenFor({ token: key.api_key });
    await call("DELETE", `/v1/keys/${key.id}`, { token: account.tokens.access_token });
    expect(await readJson(await call("POST", "/v1/token/verify", { json: { token: access_token } }))).toEqual({
      active: false,
    });
    expect(await exports.AuthService.verifyToken(access_token)).toEqual({ valid: false, code: "token_revoked" });
    await expectOAuthError(await exchange({ token: key.api_key }), 401, "invalid_client");
    // The person's own session is untouched.
    expect((await verifyWithKey((await createKey(account)).api_key, account.tokens.access_token)).status).toBe(200);
  });

  it("never outlives its key: the lifetime stops at the key's expiry or the end of its roll's grace", async () => {
    freezeClock();
    const { account } = await accountWithKey();
    const expiring = await createKey(account, { expires_in: 120 });
    const { access_token, expires_in } = await tokenFor({ token: expiring.api_key });
    expect(expires_in).toBe(120);
    expect(claimsOf(access_token).exp).toBe(Date.parse(String(expiring.expires_at)) / 1000);
    const rolled = await createKey(account);
    await call("POST", `/v1/keys/${rolled.id}/roll`, {
      token: account.tokens.access_token,
      json: { grace_seconds: 60 },
    });
    expect((await tokenFor({ token: rolled.api_key })).expires_in).toBe(60);
  });
});

describe("client_credentials refusals (RFC 6749 §5.2)", () => {
  it("refuses a missing or other grant type", async () => {
    const { key } = await accountWithKey();
    const auth = { headers: basic(key.id, key.api_key) };
    await expectOAuthError(await exchange({ ...auth, form: { scope: "verify" } }), 400, "invalid_request");
    for (const grant_type of ["password", "refresh_token", "AUTHORIZATION_CODE", "CLIENT_CREDENTIALS"]) {
      await expectOAuthError(await exchange({ ...auth, form: { grant_type } }), 400, "unsupported_grant_type");
    }
  });

  it("refuses unknown, mistyped, revoked keys and no credentials alike with 401 invalid_client", async () => {
    const { key } = await accountWithKey();
    const typo = `${key.api_key.slice(0, -1)}${key.api_key.endsWith("a") ? "b" : "a"}`;
    for (const secret of [await unknownKey(), typo, "not-a-key"]) {
      await expectOAuthError(await exchange({ form: { ...GRANT, client_secret: secret } }), 401, "invalid_client");
    }
    await expectOAuthError(await exchange({}), 401, "invalid_client");
    const byBasic = await exchange({ headers: basic(key.id, typo) });
    expect(byBasic.headers.get("WWW-Authenticate")).toBe('Basic realm="edge-auth"');
    await expectOAuthError(byBasic, 401, "invalid_client");
  });

  it("refuses a client_id that is not the key's, malformed Basic, and two ways of authenticating at once", async () => {
    const { key } = await accountWithKey();
    const other = await accountWithKey();
    await expectOAuthError(await exchange({ headers: basic(other.key.id, key.api_key) }), 401, "invalid_client");
    const wrongId = { ...GRANT, client_id: other.key.id, client_secret: key.api_key };
    await expectOAuthError(await exchange({ form: wrongId }), 401, "invalid_client");
    await expectOAuthError(await exchange({ headers: { Authorization: "Basic %%%" } }), 401, "invalid_client");
    await expectOAuthError(
      await exchange({ headers: { Authorization: `Basic ${btoa("no-colon")}` } }),
      401,
      "invalid_client",
    );
    const twice = { headers: basic(key.id, key.api_key), form: { ...GRANT, client_secret: key.api_key } };
    await expectOAuthError(await exchange(twice), 400, "invalid_request");
  });

  it("refuses bodies that are not a form or JSON object, and repeated parameters, with invalid_request", async () => {
    const { key } = await accountWithKey();
    const auth = { "X-API-Key": key.api_key };
    await expectOAuthError(
      await exchange({ headers: auth, body: "grant_type=client_credentials", contentType: "text/plain" }),
      400,
      "invalid_request",
    );
    const repeated = {
      headers: auth,
      body: "grant_type=client_credentials&grant_type=client_credentials",
      contentType: "application/x-www-form-urlencoded",
    };
    await expectOAuthError(await exchange(repeated), 400, "invalid_request");
    await expectOAuthError(await exchange({ headers: auth, json: [1] }), 400, "invalid_request");
    await expectOAuthError(
      await exchange({ headers: auth, json: { ...GRANT, scope: ["admin"] } }),
      400,
      "invalid_request",
    );
    expect((await exchange({ headers: auth, json: GRANT })).status).toBe(200);
  });
});
