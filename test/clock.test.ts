// The clock tests move: a frozen Date reaches the Worker over HTTP, over RPC and behind the consumer
// Worker, and access tokens expire by the service's clock (jose is handed it, never reading Date).
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getServiceContext } from "../src/context";
import { signAccessToken, verifyAccessToken } from "../src/crypto/access-token";
import { signUp } from "./support/accounts";
import { advanceClock, freezeClock } from "./support/clock";
import { call, readJson } from "./support/http";

const ACCESS_TOKEN_TTL_SECONDS = 900;

declare global {
  namespace Cloudflare {
    interface Env {
      CONSUMER: Fetcher;
    }
  }
}

const introspect = async (token: string) =>
  readJson<{ active: boolean }>(await call("POST", "/v1/token/verify", { json: { token } }));

function consumerClaims(token: string): Promise<Response> {
  return env.CONSUMER.fetch("https://consumer.test/claims", { headers: { Authorization: `Bearer ${token}` } });
}

describe("a frozen clock in the test", () => {
  it("is the Worker's clock: a sign-up an hour ahead is stamped an hour ahead, in the token and in D1", async () => {
    const later = freezeClock(Math.floor(Date.now() / 1000) + 3600);
    const account = await signUp();
    const claims = JSON.parse(atob(account.tokens.access_token.split(".")[1] ?? "")) as { iat: number; exp: number };
    expect(claims).toMatchObject({ iat: later, exp: later + ACCESS_TOKEN_TTL_SECONDS });
    const row = await env.DB.prepare("select created_at from users where id = ?")
      .bind(account.userId)
      .first<{ created_at: number }>();
    expect(row?.created_at).toBe(later);
  });

  it("expires an access token at its exp, over HTTP, over RPC and behind the consumer Worker", async () => {
    freezeClock();
    const account = await signUp();
    const token = account.tokens.access_token;

    advanceClock(ACCESS_TOKEN_TTL_SECONDS - 1);
    expect(await introspect(token)).toMatchObject({ active: true });
    expect(await exports.AuthService.verifyToken(token)).toMatchObject({ valid: true });
    expect((await consumerClaims(token)).status).toBe(200);

    advanceClock(1);
    expect(await introspect(token)).toEqual({ active: false });
    expect(await exports.AuthService.verifyToken(token)).toEqual({ valid: false, code: "token_expired" });
    const refused = await consumerClaims(token);
    expect(refused.status).toBe(401);
    expect(await readJson(refused)).toEqual({ code: "token_expired" });
  });
});

describe("verifyAccessToken", () => {
  it("judges expiry and a future iat by the time it is given, not by the wall clock", async () => {
    const { keys } = await getServiceContext(env);
    const issuedAt = 1_000_000_000; // 2001: long expired by the wall clock
    const audience = { issuer: "https://auth.test", audience: "edge-auth-test" };
    const { token } = await signAccessToken(
      keys,
      { sub: "user", sid: "session", email: "a@example.com", email_verified: false, amr: ["pwd"] },
      { ...audience, jti: "j", issuedAt, ttlSeconds: ACCESS_TOKEN_TTL_SECONDS },
    );
    expect(await verifyAccessToken(keys, token, { ...audience, now: issuedAt + 10 })).toMatchObject({ ok: true });
    expect(await verifyAccessToken(keys, token, { ...audience, now: issuedAt + ACCESS_TOKEN_TTL_SECONDS })).toEqual({
      ok: false,
      reason: "expired",
    });
    // Issued more than 60 s after the verifier's now: not issued by us as it claims.
    expect(await verifyAccessToken(keys, token, { ...audience, now: issuedAt - 61 })).toEqual({
      ok: false,
      reason: "invalid",
    });
  });
});
