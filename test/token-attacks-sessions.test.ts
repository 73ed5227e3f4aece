// Token attacks on sessions: revoked tokens re-encoded, a sid of another account, other tokens of ours.
import { env } from "cloudflare:workers";
import { base64url, generateKeyPair, type JWTPayload, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { claimsOf, signUp } from "./support/accounts";
import { call, callAndSettle } from "./support/http";
import { latestCode } from "./support/mail";
import {
  CURRENT_KEY,
  expectRefusedByMe,
  expectRefusedEverywhere,
  RETIRING_KEY,
  rejectionOf,
  signWith,
  useForgeryTarget,
} from "./support/token-forgery";

const target = useForgeryTarget();

describe("a revoked token re-encoded", () => {
  async function loggedOutToken(): Promise<{ token: string; claims: JWTPayload }> {
    const victim = await signUp();
    const token = victim.tokens.access_token;
    expect((await call("POST", "/v1/logout", { token })).status).toBe(204);
    const claims: JWTPayload = { ...claimsOf(token) };
    expect(await env.KV.get(`revoked:sid:${claims.sid}`)).not.toBeNull();
    return { token, claims };
  }

  it("refuses the same claims re-signed by a foreign key that claims our kid", async () => {
    const { claims } = await loggedOutToken();
    const { privateKey } = await generateKeyPair("ES256");
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: "ES256", kid: CURRENT_KEY.kid, typ: "at+jwt" })
      .sign(privateKey);
    await expectRefusedEverywhere(forged);
    expect(await rejectionOf(forged)).toBe("token_invalid");
  });

  it("refuses the same claims re-serialized (other key order and spacing) under the original signature", async () => {
    const { token, claims } = await loggedOutToken();
    const [header, , signature] = token.split(".");
    const reordered = Object.fromEntries(Object.entries(claims).reverse());
    const payload = base64url.encode(new TextEncoder().encode(JSON.stringify(reordered, null, 1)));
    await expectRefusedEverywhere(`${header}.${payload}.${signature}`);
  });

  it("refuses the same jti re-signed by our own verify-only key: revocation is by jti and sid, not token bytes", async () => {
    const { claims } = await loggedOutToken();
    const resigned = await signWith(RETIRING_KEY, claims);
    await expectRefusedEverywhere(resigned);
    expect(await rejectionOf(resigned)).toBe("token_revoked");
  });

  it("refuses a fresh jti on the revoked session, re-signed by our key: the sid is denied too", async () => {
    const { claims } = await loggedOutToken();
    const resigned = await signWith(CURRENT_KEY, { ...claims, jti: crypto.randomUUID() });
    await expectRefusedEverywhere(resigned);
    expect(await rejectionOf(resigned)).toBe("token_revoked");
    expect(await env.KV.get(`revoked:sid:${claims.sid}`)).not.toBeNull();
  });
});

describe("session ownership", () => {
  it("refuses on /v1/me a well-signed token whose sub does not own its sid", async () => {
    const other = await signUp();
    await expectRefusedByMe(await signWith(CURRENT_KEY, target.claims({ sub: other.userId })));
  });
});

describe("other tokens of ours presented as access tokens", () => {
  it("refuses a refresh token as a bearer and at verify, and presenting it does not spend it", async () => {
    const fresh = await signUp();
    await expectRefusedEverywhere(fresh.tokens.refresh_token);
    const refreshed = await call("POST", "/v1/token/refresh", { json: { refresh_token: fresh.tokens.refresh_token } });
    expect(refreshed.status).toBe(200);
  });

  it("refuses a password-reset link token as a bearer and at verify, and the link still resets", async () => {
    const victim = await signUp();
    expect((await callAndSettle("POST", "/v1/password/forgot", { json: { email: victim.email } })).status).toBe(202);
    const { token } = await latestCode(victim.email, "reset_password");
    await expectRefusedEverywhere(token);
    expect(await rejectionOf(token)).toBe("token_malformed");
    const reset = await callAndSettle("POST", "/v1/password/reset", {
      json: { token, new_password: "a different long passphrase" },
    });
    expect(reset.status).toBe(204);
  });
});
