// TOTP enrolment, confirmation and removal through the API, and how the secret is kept at rest.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { decodeBase64Url } from "../src/crypto/encoding";
import { importSecretBoxKey, openSecret } from "../src/crypto/secret-box";
import { decodeBase32 } from "../src/crypto/totp";
import { PASSWORD, signUp } from "./support/accounts";
import { call, readJson } from "./support/http";
import {
  forgetLastTotpStep,
  holdTotpStep,
  signUpWithTotp,
  startEnrolment,
  totpCode,
  totpRow,
  wrongTotpCode,
} from "./support/totp";

async function recoveryCodeCount(userId: string): Promise<number> {
  const row = await env.DB.prepare("select count(*) as n from recovery_codes where user_id = ?")
    .bind(userId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

function containsBytes(haystack: Uint8Array, needle: Uint8Array): boolean {
  for (let start = 0; start + needle.length <= haystack.length; start++) {
    if (needle.every((byte, index) => haystack[start + index] === byte)) return true;
  }
  return false;
}

describe("POST /v1/mfa/totp", () => {
  it("answers a 160-bit base32 secret, its otpauth URI and an SVG QR code, and stores a pending factor", async () => {
    const account = await signUp();
    const response = await call("POST", "/v1/mfa/totp", { token: account.tokens.access_token });
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const body = await readJson<{ secret: string; otpauth_uri: string; qr_svg: string }>(response);
    expect(body.secret).toMatch(/^[A-Z2-7]{32}$/);
    expect(decodeBase32(body.secret)).toHaveLength(20);
    const uri = new URL(body.otpauth_uri);
    expect(uri.protocol).toBe("otpauth:");
    expect(decodeURIComponent(body.otpauth_uri)).toContain(`totp/edge-auth:${account.email}?`);
    expect(uri.searchParams.get("secret")).toBe(body.secret);
    expect(uri.searchParams.get("issuer")).toBe("edge-auth");
    expect(body.qr_svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg" viewBox="0 0 \d+ \d+">.*<\/svg>$/);
    expect(await totpRow(account.userId)).toMatchObject({ confirmed_at: null, last_used_step: null });
  });

  it("replaces an unconfirmed secret when started again", async () => {
    holdTotpStep();
    const account = await signUp();
    const first = await startEnrolment(account.tokens.access_token);
    const second = await startEnrolment(account.tokens.access_token);
    expect(second.secret).not.toBe(first.secret);
    const stale = await call("POST", "/v1/mfa/totp/confirm", {
      token: account.tokens.access_token,
      json: { code: await totpCode(first.secret), password: PASSWORD },
    });
    expect(stale.status).toBe(400);
    expect(await readJson(stale)).toMatchObject({ code: "invalid_mfa_code" });
    const fresh = await call("POST", "/v1/mfa/totp/confirm", {
      token: account.tokens.access_token,
      json: { code: await totpCode(second.secret), password: PASSWORD },
    });
    expect(fresh.status).toBe(200);
  });

  it("refuses with 409 totp_already_enabled once TOTP is on, keeping the secret", async () => {
    const account = await signUpWithTotp();
    const before = await totpRow(account.userId);
    const response = await call("POST", "/v1/mfa/totp", { token: account.tokens.access_token });
    expect(response.status).toBe(409);
    expect(await readJson(response)).toMatchObject({ code: "totp_already_enabled" });
    expect((await totpRow(account.userId))?.secret_ciphertext).toBe(before?.secret_ciphertext);
  });

  it("needs a bearer token", async () => {
    const response = await call("POST", "/v1/mfa/totp");
    expect(response.status).toBe(401);
    expect(await readJson(response)).toMatchObject({ code: "invalid_token" });
  });

  it("answers a wrong method with 405 and the methods the path serves", async () => {
    const response = await call("GET", "/v1/mfa/totp");
    expect(response.status).toBe(405);
    expect(response.headers.get("Allow")).toBe("POST, DELETE");
    expect((await call("GET", "/v1/login/mfa")).headers.get("Allow")).toBe("POST");
  });
});

describe("the TOTP secret at rest", () => {
  it("is stored AES-GCM encrypted, never as the secret, and opens only for its own user", async () => {
    const account = await signUp();
    const { secret } = await startEnrolment(account.tokens.access_token);
    const row = await totpRow(account.userId);
    const stored = row?.secret_ciphertext ?? "";
    const secretBytes = decodeBase32(secret) ?? new Uint8Array();
    expect(stored).not.toContain(secret);
    expect(stored.toUpperCase()).not.toContain(secret);
    const raw = decodeBase64Url(stored) ?? new Uint8Array();
    expect(raw.length).toBe(12 + 20 + 16);
    expect(containsBytes(raw, secretBytes)).toBe(false);

    const keyBytes = decodeBase64Url((env as unknown as { TOTP_ENCRYPTION_KEY: string }).TOTP_ENCRYPTION_KEY);
    const key = await importSecretBoxKey(keyBytes ?? new Uint8Array());
    expect(await openSecret(key, stored, `totp:${account.userId}`)).toEqual(secretBytes);
    const other = await signUp();
    expect(await openSecret(key, stored, `totp:${other.userId}`)).toBeNull();
  });

  it("moved to another user's row, is refused rather than used", async () => {
    holdTotpStep();
    const owner = await signUpWithTotp();
    const thief = await signUpWithTotp();
    const ownerRow = await totpRow(owner.userId);
    await env.DB.prepare("update totp_factors set secret_ciphertext = ? where user_id = ?")
      .bind(ownerRow?.secret_ciphertext, thief.userId)
      .run();
    const response = await call("POST", "/v1/mfa/recovery-codes", {
      token: thief.tokens.access_token,
      json: { code: await totpCode(owner.secret) },
    });
    expect(response.status).toBe(500);
    expect(await readJson(response)).toMatchObject({ code: "internal_error" });
  });
});

describe("POST /v1/mfa/totp/confirm", () => {
  it("turns TOTP on with a current code and answers ten distinct recovery codes, stored only hashed", async () => {
    const account = await signUp();
    const { secret } = await startEnrolment(account.tokens.access_token);
    const response = await call("POST", "/v1/mfa/totp/confirm", {
      token: account.tokens.access_token,
      json: { code: await totpCode(secret), password: PASSWORD },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const { recovery_codes } = await readJson<{ recovery_codes: string[] }>(response);
    expect(recovery_codes).toHaveLength(10);
    expect(new Set(recovery_codes).size).toBe(10);
    for (const code of recovery_codes) expect(code).toMatch(/^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/);
    const row = await totpRow(account.userId);
    expect(row?.confirmed_at).toEqual(expect.any(Number));
    expect(row?.last_used_step).toEqual(expect.any(Number));
    const { results } = await env.DB.prepare("select code_hash, used_at from recovery_codes where user_id = ?")
      .bind(account.userId)
      .all<{ code_hash: string; used_at: number | null }>();
    expect(results).toHaveLength(10);
    const stored = JSON.stringify(results);
    for (const code of recovery_codes) {
      expect(stored).not.toContain(code);
      expect(stored).not.toContain(code.replaceAll("-", ""));
    }
  });

  it("refuses a wrong code with 400 invalid_mfa_code, counts it, and leaves TOTP off", async () => {
    const account = await signUp();
    const { secret } = await startEnrolment(account.tokens.access_token);
    const response = await call("POST", "/v1/mfa/totp/confirm", {
      token: account.tokens.access_token,
      json: { code: await wrongTotpCode(secret), password: PASSWORD },
    });
    expect(response.status).toBe(400);
    expect(await readJson(response)).toMatchObject({ code: "invalid_mfa_code" });
    expect(await totpRow(account.userId)).toMatchObject({ confirmed_at: null, failed_attempts: 1 });
    expect(await recoveryCodeCount(account.userId)).toBe(0);
  });

  it("refuses a stolen access token alone: a wrong password answers 401 invalid_credentials, counts no code attempt, leaves TOTP off", async () => {
    const account = await signUp();
    const { secret } = await startEnrolment(account.tokens.access_token);
    const response = await call("POST", "/v1/mfa/totp/confirm", {
      token: account.tokens.access_token,
      json: { code: await totpCode(secret), password: "the attacker's guess at it" },
    });
    expect(response.status).toBe(401);
    expect(await readJson(response)).toMatchObject({ code: "invalid_credentials" });
    expect(await totpRow(account.userId)).toMatchObject({ confirmed_at: null, failed_attempts: 0 });
    expect(await recoveryCodeCount(account.userId)).toBe(0);
  });

  it("refuses a confirmation without the password of an account that has one, leaving TOTP off", async () => {
    const account = await signUp();
    const { secret } = await startEnrolment(account.tokens.access_token);
    const response = await call("POST", "/v1/mfa/totp/confirm", {
      token: account.tokens.access_token,
      json: { code: await totpCode(secret) },
    });
    expect(response.status).toBe(401);
    expect(await readJson(response)).toMatchObject({ code: "invalid_credentials" });
    expect(await totpRow(account.userId)).toMatchObject({ confirmed_at: null, failed_attempts: 0 });
  });

  it("answers 404 totp_not_enabled without an enrolment and 409 once confirmed", async () => {
    const account = await signUp();
    const none = await call("POST", "/v1/mfa/totp/confirm", {
      token: account.tokens.access_token,
      json: { code: "123456", password: PASSWORD },
    });
    expect(none.status).toBe(404);
    expect(await readJson(none)).toMatchObject({ code: "totp_not_enabled" });

    const enrolled = await signUpWithTotp();
    const again = await call("POST", "/v1/mfa/totp/confirm", {
      token: enrolled.tokens.access_token,
      json: { code: await totpCode(enrolled.secret), password: PASSWORD },
    });
    expect(again.status).toBe(409);
    expect(await readJson(again)).toMatchObject({ code: "totp_already_enabled" });
  });
});

describe("DELETE /v1/mfa/totp", () => {
  const remove = (token: string, json: Record<string, string>) => call("DELETE", "/v1/mfa/totp", { token, json });

  it("needs the password and a current code, then removes the factor and its recovery codes", async () => {
    holdTotpStep();
    const account = await signUpWithTotp();
    const token = account.tokens.access_token;
    const code = await totpCode(account.secret);

    const wrongPassword = await remove(token, { password: "not the password", code });
    expect(wrongPassword.status).toBe(401);
    expect(await readJson(wrongPassword)).toMatchObject({ code: "invalid_credentials" });
    const wrongCode = await remove(token, { password: PASSWORD, code: await wrongTotpCode(account.secret) });
    expect(wrongCode.status).toBe(400);
    expect(await readJson(wrongCode)).toMatchObject({ code: "invalid_mfa_code" });
    const noCode = await remove(token, { password: PASSWORD });
    expect(noCode.status).toBe(400);
    expect(await readJson(noCode)).toMatchObject({ code: "invalid_request" });
    expect((await totpRow(account.userId))?.confirmed_at).not.toBeNull();
    expect(await recoveryCodeCount(account.userId)).toBe(10);

    expect((await remove(token, { password: PASSWORD, code })).status).toBe(204);
    expect(await totpRow(account.userId)).toBeNull();
    expect(await recoveryCodeCount(account.userId)).toBe(0);
    const again = await remove(token, { password: PASSWORD, code });
    expect(again.status).toBe(404);
    expect(await readJson(again)).toMatchObject({ code: "totp_not_enabled" });
  });

  it("accepts a recovery code instead of the app's code, for someone who lost the device", async () => {
    const account = await signUpWithTotp();
    const response = await remove(account.tokens.access_token, {
      password: PASSWORD,
      recovery_code: account.recoveryCodes[3] ?? "",
    });
    expect(response.status).toBe(204);
    expect(await totpRow(account.userId)).toBeNull();
  });

  it("refuses a code already used (replay) like a wrong one", async () => {
    holdTotpStep();
    const account = await signUpWithTotp();
    const code = await totpCode(account.secret);
    const regenerated = await call("POST", "/v1/mfa/recovery-codes", {
      token: account.tokens.access_token,
      json: { code },
    });
    expect(regenerated.status).toBe(200);
    const response = await remove(account.tokens.access_token, { password: PASSWORD, code });
    expect(response.status).toBe(400);
    expect(await readJson(response)).toMatchObject({ code: "invalid_mfa_code" });
    await forgetLastTotpStep(account.userId);
    expect((await remove(account.tokens.access_token, { password: PASSWORD, code })).status).toBe(204);
  });
});
