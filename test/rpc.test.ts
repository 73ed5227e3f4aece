// Other Workers: the example consumer Worker (examples/consumer-worker) runs beside edge-auth and
// calls its AuthService entrypoint through a real service binding; tests reach the consumer over
// HTTP through its own binding, the way its clients would.
import { env, exports } from "cloudflare:workers";
import { generateKeyPair, importJWK, type JWK, type JWTPayload, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { logIn, sessionOf, signUp } from "./support/accounts";
import { call, readJson } from "./support/http";

declare global {
  namespace Cloudflare {
    interface Env {
      /** The example consumer Worker (vitest.config.ts), itself bound to AuthService. */
      CONSUMER: Fetcher;
    }
  }
}

interface PrivateJwk extends JWK {
  kid: string;
  alg: string;
}

const PUBLIC_USER_FIELDS = [
  "address",
  "created_at",
  "email",
  "email_verified",
  "first_name",
  "id",
  "last_name",
  "name",
  "phone",
  "phone_verified",
  "updated_at",
  "username",
];

function consumer(method: string, path: string, token?: string): Promise<Response> {
  const headers: Record<string, string> = token === undefined ? {} : { Authorization: `Bearer ${token}` };
  return env.CONSUMER.fetch(`https://consumer.test${path}`, { method, headers });
}

async function expectRefusedByConsumer(token: string, code: string): Promise<void> {
  const response = await consumer("GET", "/claims", token);
  expect(response.status).toBe(401);
  expect(response.headers.get("WWW-Authenticate")).toMatch(/^Bearer .*error="invalid_token"/);
  expect(await readJson(response)).toEqual({ code });
}

/** An access token exactly like the service's own for this session, signed with `key`. */
async function craftToken(
  key: CryptoKey,
  kid: string,
  session: { userId: string; email: string; sid: string },
  claims: JWTPayload = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const payload = {
    iss: "https://auth.test",
    aud: "edge-auth-test",
    sub: session.userId,
    sid: session.sid,
    jti: crypto.randomUUID(),
    iat: now,
    exp: now + 600,
    email: session.email,
    email_verified: false,
    amr: ["pwd"],
    ...claims,
  };
  return new SignJWT(payload).setProtectedHeader({ alg: "ES256", kid, typ: "at+jwt" }).sign(key);
}

async function currentSigningKey(): Promise<{ key: CryptoKey; kid: string }> {
  const [jwk] = (JSON.parse(env.SIGNING_KEYS) as { keys: PrivateJwk[] }).keys;
  if (!jwk) throw new Error("no signing key configured");
  return { key: (await importJWK(jwk, jwk.alg)) as CryptoKey, kid: jwk.kid };
}

async function signedUpSession() {
  const account = await signUp();
  return { ...account, sid: sessionOf(account.tokens.access_token) };
}

describe("verifyToken through the consumer Worker's service binding", () => {
  it("answers the claims of a valid access token", async () => {
    const account = await signedUpSession();
    const response = await consumer("GET", "/claims", account.tokens.access_token);
    expect(response.status).toBe(200);
    const claims = await readJson(response);
    expect(claims).toMatchObject({
      iss: "https://auth.test",
      aud: "edge-auth-test",
      sub: account.userId,
      sid: account.sid,
      email: account.email,
      email_verified: false,
      amr: ["pwd"],
    });
    expect(claims.exp).toBe((claims.iat as number) + 900);
  });

  it("refuses a token signed by a foreign key that claims our kid with token_invalid", async () => {
    const account = await signedUpSession();
    const { privateKey } = await generateKeyPair("ES256");
    const { kid } = await currentSigningKey();
    await expectRefusedByConsumer(await craftToken(privateKey, kid, account), "token_invalid");
  });

  it("refuses an expired token signed with our own key with token_expired", async () => {
    const account = await signedUpSession();
    const { key, kid } = await currentSigningKey();
    const past = Math.floor(Date.now() / 1000) - 3600;
    await expectRefusedByConsumer(await craftToken(key, kid, account, { iat: past, exp: past + 900 }), "token_expired");
  });

  it("refuses garbage that is not a JWS with token_malformed", async () => {
    await expectRefusedByConsumer("not-a-token", "token_malformed");
    await expectRefusedByConsumer("aGVsbG8.d29ybGQ.c2ln", "token_malformed");
  });

  it("refuses a refresh token presented as an access token", async () => {
    const account = await signedUpSession();
    const response = await consumer("GET", "/claims", account.tokens.refresh_token);
    expect(response.status).toBe(401);
    expect(await readJson(response)).toEqual({ code: "token_malformed" });
  });

  it("answers a request without a bearer token with a bare challenge", async () => {
    const response = await consumer("GET", "/claims");
    expect(response.status).toBe(401);
    expect(response.headers.get("WWW-Authenticate")).toBe('Bearer realm="api"');
    expect(await readJson(response)).toEqual({ code: "token_missing" });
  });

  it("refuses the access token once the session is logged out over HTTP", async () => {
    const account = await signedUpSession();
    const logout = await call("POST", "/v1/logout", { token: account.tokens.access_token });
    expect(logout.status).toBe(204);
    await expectRefusedByConsumer(account.tokens.access_token, "token_revoked");
  });
});

describe("getUser through the consumer Worker's service binding", () => {
  it("answers the caller's public user, without the password hash", async () => {
    const account = await signUp({ name: "Ada Lovelace" });
    const response = await consumer("GET", "/profile", account.tokens.access_token);
    expect(response.status).toBe(200);
    const user = await readJson(response);
    expect(Object.keys(user)).toEqual(expect.arrayContaining(PUBLIC_USER_FIELDS));
    expect(Object.keys(user).filter((key) => /password|hash|secret|totp|recovery/i.test(key))).toEqual([]);
    expect(user).toMatchObject({ id: account.userId, email: account.email, name: "Ada Lovelace" });
    expect(JSON.stringify(user)).not.toContain("$scrypt$");
  });

  it("answers user_not_found for a token that outlived its user", async () => {
    const account = await signUp();
    // Removed behind the service's back, so the token itself is still valid and only the lookup fails.
    await env.DB.prepare("delete from users where id = ?").bind(account.userId).run();
    const response = await consumer("GET", "/profile", account.tokens.access_token);
    expect(response.status).toBe(404);
    expect(await readJson(response)).toEqual({ code: "user_not_found" });
  });
});

describe("revokeSession through the consumer Worker's service binding", () => {
  it("ends the session: its access token is refused as token_revoked and its refresh token with 401", async () => {
    const account = await signedUpSession();
    const logout = await consumer("POST", "/logout", account.tokens.access_token);
    expect(logout.status).toBe(204);

    await expectRefusedByConsumer(account.tokens.access_token, "token_revoked");
    const refresh = await call("POST", "/v1/token/refresh", { json: { refresh_token: account.tokens.refresh_token } });
    expect(refresh.status).toBe(401);
    expect(await readJson(refresh)).toMatchObject({ code: "invalid_refresh_token" });
    const row = await env.DB.prepare("select revoke_reason from sessions where id = ?")
      .bind(account.sid)
      .first<{ revoke_reason: string }>();
    expect(row?.revoke_reason).toBe("revoked_by_service");
  });

  it("leaves the user's other sessions alive", async () => {
    const account = await signedUpSession();
    const other = await logIn(account.email);
    expect((await consumer("POST", "/logout", account.tokens.access_token)).status).toBe(204);

    const response = await consumer("GET", "/claims", other.access_token);
    expect(response.status).toBe(200);
    expect(await readJson(response)).toMatchObject({ sub: account.userId });
    expect((await call("POST", "/v1/token/refresh", { json: { refresh_token: other.refresh_token } })).status).toBe(
      200,
    );
  });
});

// The typed failures a consumer switches on, asserted on the RPC results themselves.
describe("AuthService results, called through the Worker's own entrypoint", () => {
  it("answers verifyToken with exactly { valid, claims } for a valid token", async () => {
    const account = await signedUpSession();
    const result = await exports.AuthService.verifyToken(account.tokens.access_token);
    expect(Object.keys(result).sort()).toEqual(["claims", "valid"]);
    expect(result).toMatchObject({ valid: true, claims: { sub: account.userId, sid: account.sid } });
  });

  it("answers verifyToken with token_malformed for a value that is not a string", async () => {
    const result = await exports.AuthService.verifyToken(42 as unknown as string);
    expect(result).toEqual({ valid: false, code: "token_malformed" });
  });

  it("answers getUser for an unknown or oversized id with { found: false, code: user_not_found }", async () => {
    for (const id of [crypto.randomUUID(), "x".repeat(10_000)]) {
      expect(await exports.AuthService.getUser(id)).toEqual({ found: false, code: "user_not_found" });
    }
  });

  it("answers revokeSession for an unknown or already revoked session with session_not_found", async () => {
    const account = await signedUpSession();
    expect(await exports.AuthService.revokeSession(crypto.randomUUID())).toEqual({
      revoked: false,
      code: "session_not_found",
    });
    expect(await exports.AuthService.revokeSession(account.sid)).toEqual({ revoked: true });
    expect(await exports.AuthService.revokeSession(account.sid)).toEqual({ revoked: false, code: "session_not_found" });
  });
});
