// The per-isolate memory of API-key lookups: what another isolate (here, a write straight to D1)
// changes is seen within API_KEY_CACHE_TTL_SECONDS; what this isolate changes (revoke, roll, disable,
// delete, a squatter's account proven by its owner) is seen at once; expiry and a roll's grace are
// judged at every use; and the memory never spares a D1 read it should not.
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { introspect, signUp } from "./support/accounts";
import { accountWithKey, createKey, exchangeKey, unknownKey, verifyWithKey } from "./support/api-keys";
import { advanceClock, freezeClock } from "./support/clock";
import { configWith, refusalOf } from "./support/config";
import { call, callAndSettle } from "./support/http";
import { latestCode } from "./support/mail";
import { forgot, NEW_PASSWORD } from "./support/password-reset";

/** The test env sets no API_KEY_CACHE_TTL_SECONDS: the default. */
const TTL = 5;

async function expectKey(apiKey: string, token: string, status: number) {
  const response = await verifyWithKey(apiKey, token);
  expect(response.status).toBe(status);
  if (status === 401) expect(((await response.json()) as { code: string }).code).toBe("invalid_api_key");
}

const writeBehindTheIsolate = (sql: string, id: string) => env.DB.prepare(sql).bind(id).run();

describe("a remembered API-key lookup", () => {
  it("is trusted for less than the TTL after another isolate revokes the key, then refused", async () => {
    freezeClock();
    const { account, key } = await accountWithKey();
    await expectKey(key.api_key, account.tokens.access_token, 200);
    await writeBehindTheIsolate("update api_keys set revoked_at = unixepoch() where id = ?", key.id);

    advanceClock(TTL - 1);
    await expectKey(key.api_key, account.tokens.access_token, 200);
    advanceClock(1);
    await expectKey(key.api_key, account.tokens.access_token, 401);
  });

  it("is forgotten at once when this isolate revokes the key", async () => {
    const { account, key } = await accountWithKey();
    await expectKey(key.api_key, account.tokens.access_token, 200);
    const revoked = await call("DELETE", `/v1/keys/${key.id}`, { token: account.tokens.access_token });
    expect(revoked.status).toBe(204);
    await expectKey(key.api_key, account.tokens.access_token, 401);
  });

  it("judges expiry at every use, whatever it remembers", async () => {
    freezeClock();
    const account = await signUp();
    const key = await createKey(account, { expires_in: 3600 });
    await expectKey(key.api_key, account.tokens.access_token, 200);
    advanceClock(TTL - 1);
    await expectKey(key.api_key, account.tokens.access_token, 200);
    // Remembered a moment ago, and past its expiry now.
    advanceClock(3600 - TTL + 1);
    await expectKey(key.api_key, account.tokens.access_token, 401);
  });

  it("follows this isolate's disabling and re-enabling of the owner at once", async () => {
    const { account, key } = await accountWithKey();
    const verifier = await signUp();
    await expectKey(key.api_key, verifier.tokens.access_token, 200);
    expect(await exports.AuthService.disableUser(account.userId)).toMatchObject({ disabled: true });
    await expectKey(key.api_key, verifier.tokens.access_token, 401);
    expect(await exports.AuthService.enableUser(account.userId)).toMatchObject({ enabled: true });
    await expectKey(key.api_key, verifier.tokens.access_token, 200);
  });

  it("remembers 'no such key' too (a flood of one key is one D1 read per TTL), for the TTL only", async () => {
    freezeClock();
    const { account, key } = await accountWithKey();
    await writeBehindTheIsolate("update api_keys set revoked_at = unixepoch() where id = ?", key.id);
    await expectKey(key.api_key, account.tokens.access_token, 401);
    // D1 would now say "usable"; the remembered answer is still "no such key" until the TTL ends.
    await writeBehindTheIsolate("update api_keys set revoked_at = null where id = ?", key.id);
    advanceClock(TTL - 1);
    await expectKey(key.api_key, account.tokens.access_token, 401);
    advanceClock(1);
    await expectKey(key.api_key, account.tokens.access_token, 200);
  });

  it("is not shared between keys: a forged key of the right shape stays refused", async () => {
    const { account } = await accountWithKey();
    const forged = await unknownKey();
    await expectKey(forged, account.tokens.access_token, 401);
    await expectKey(forged, account.tokens.access_token, 401);
  });
});

describe("a squatter's API key", () => {
  it("dies when the address's owner proves it by a password reset", async () => {
    // Verification is optional in the test env, so an unverified account signs in and mints keys.
    const squatter = await signUp();
    const key = await createKey(squatter);
    const exchanged = await exchangeKey(key.api_key);
    const verifier = await signUp();
    await expectKey(key.api_key, verifier.tokens.access_token, 200);
    expect(await introspect(exchanged)).toMatchObject({ active: true });

    const { requestId } = await forgot(squatter.email);
    const { code } = await latestCode(squatter.email, "reset_password");
    const reset = await callAndSettle("POST", "/v1/password/reset", {
      json: { otp_request_id: requestId, code, new_password: NEW_PASSWORD },
    });
    expect(reset.status).toBe(204);

    await expectKey(key.api_key, verifier.tokens.access_token, 401);
    const row = await env.DB.prepare("select revoked_at from api_keys where id = ?").bind(key.id).first();
    expect(row?.revoked_at).not.toBeNull();
    // An access token the squatter exchanged for the key before dies with it (denylisted by its sid).
    expect(await introspect(exchanged)).toEqual({ active: false });
  });

  it("survives a reset of an account whose address was already verified (nothing to discard)", async () => {
    const { account, key } = await accountWithKey();
    await env.DB.prepare("update users set email_verified = 1 where id = ?").bind(account.userId).run();
    const { requestId } = await forgot(account.email);
    const { code } = await latestCode(account.email, "reset_password");
    const reset = await callAndSettle("POST", "/v1/password/reset", {
      json: { otp_request_id: requestId, code, new_password: NEW_PASSWORD },
    });
    expect(reset.status).toBe(204);
    const verifier = await signUp();
    await expectKey(key.api_key, verifier.tokens.access_token, 200);
  });
});

describe("API_KEY_CACHE_TTL_SECONDS", () => {
  it("defaults to 5 and takes 0 (a D1 read per use) up to 60", () => {
    expect(configWith({ API_KEY_CACHE_TTL_SECONDS: undefined }).apiKeyCacheTtlSeconds).toBe(TTL);
    expect(configWith({ API_KEY_CACHE_TTL_SECONDS: "0" }).apiKeyCacheTtlSeconds).toBe(0);
    expect(configWith({ API_KEY_CACHE_TTL_SECONDS: "60" }).apiKeyCacheTtlSeconds).toBe(60);
  });

  it("refuses a value past 60 or not a whole number", () => {
    for (const value of ["61", "-1", "2.5", "soon"]) {
      expect(refusalOf({ API_KEY_CACHE_TTL_SECONDS: value })).toMatch(/API_KEY_CACHE_TTL_SECONDS/);
    }
  });
});
