// Recovery codes: each finishes one MFA login, they are stored hashed, and regenerating them
// (which needs a current TOTP code) kills the old set.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { claimsOf, sessionRowCount, signUp } from "./support/accounts";
import { call, readJson } from "./support/http";
import { completeMfa, holdTotpStep, logInToMfa, signUpWithTotp, totpCode, wrongTotpCode } from "./support/totp";

async function recoveryRows(userId: string): Promise<{ code_hash: string; used_at: number | null }[]> {
  const { results } = await env.DB.prepare("select code_hash, used_at from recovery_codes where user_id = ?")
    .bind(userId)
    .all<{ code_hash: string; used_at: number | null }>();
  return results;
}

function regenerate(accessToken: string, json: Record<string, string>): Promise<Response> {
  return call("POST", "/v1/mfa/recovery-codes", { token: accessToken, json });
}

describe("a recovery code at the MFA step of login", () => {
  it("opens a session recorded as otp by recovery code (amr pwd, otp, rc, mfa) and is marked used", async () => {
    const account = await signUpWithTotp();
    const { mfa_token } = await logInToMfa(account.email);
    const response = await completeMfa(mfa_token, { recovery_code: account.recoveryCodes[0] ?? "" });
    expect(response.status).toBe(200);
    const tokens = await readJson<{ access_token: string; refresh_token: string }>(response);
    expect(claimsOf(tokens.access_token).amr).toEqual(["pwd", "otp", "rc", "mfa"]);
    const used = (await recoveryRows(account.userId)).filter((row) => row.used_at !== null);
    expect(used).toHaveLength(1);
  });

  it("works once: the same code again is refused with 400 invalid_mfa_code, another one still works", async () => {
    const account = await signUpWithTotp();
    const [first = "", second = ""] = account.recoveryCodes;
    expect((await completeMfa((await logInToMfa(account.email)).mfa_token, { recovery_code: first })).status).toBe(200);
    const sessionsAfterFirst = await sessionRowCount(account.userId);

    const { mfa_token } = await logInToMfa(account.email);
    const reused = await completeMfa(mfa_token, { recovery_code: first });
    expect(reused.status).toBe(400);
    expect(await readJson(reused)).toMatchObject({ code: "invalid_mfa_code" });
    expect(await sessionRowCount(account.userId)).toBe(sessionsAfterFirst);
    expect((await completeMfa(mfa_token, { recovery_code: second })).status).toBe(200);
  });

  it("is used once even when sent in parallel to two challenges", async () => {
    const account = await signUpWithTotp();
    const [first, second] = await Promise.all([logInToMfa(account.email), logInToMfa(account.email)]);
    const code = account.recoveryCodes[5] ?? "";
    const responses = await Promise.all([
      completeMfa(first.mfa_token, { recovery_code: code }),
      completeMfa(second.mfa_token, { recovery_code: code }),
    ]);
    expect(responses.map((response) => response.status).sort()).toEqual([200, 400]);
  });

  it("is read whatever its case, spacing or dashes", async () => {
    const account = await signUpWithTotp();
    const typed = ` ${(account.recoveryCodes[2] ?? "").replaceAll("-", "").toUpperCase()} `;
    const { mfa_token } = await logInToMfa(account.email);
    expect((await completeMfa(mfa_token, { recovery_code: typed })).status).toBe(200);
  });

  it("does not count toward the TOTP lock", async () => {
    const account = await signUpWithTotp();
    for (let round = 0; round < 2; round++) {
      const { mfa_token } = await logInToMfa(account.email);
      for (let index = 0; index < 5; index++) await completeMfa(mfa_token, { recovery_code: "zzzz-zzzz-zzzz" });
    }
    const { mfa_token } = await logInToMfa(account.email);
    expect((await completeMfa(mfa_token, { code: await totpCode(account.secret) })).status).toBe(200);
  });
});

describe("POST /v1/mfa/recovery-codes", () => {
  it("needs a current TOTP code, then replaces all ten codes: the old ones stop working", async () => {
    holdTotpStep();
    const account = await signUpWithTotp();
    const oldHashes = (await recoveryRows(account.userId)).map((row) => row.code_hash);

    const wrong = await regenerate(account.tokens.access_token, { code: await wrongTotpCode(account.secret) });
    expect(wrong.status).toBe(400);
    expect(await readJson(wrong)).toMatchObject({ code: "invalid_mfa_code" });
    expect((await recoveryRows(account.userId)).map((row) => row.code_hash)).toEqual(oldHashes);

    const response = await regenerate(account.tokens.access_token, { code: await totpCode(account.secret) });
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const { recovery_codes } = await readJson<{ recovery_codes: string[] }>(response);
    expect(recovery_codes).toHaveLength(10);
    expect(recovery_codes.filter((code) => account.recoveryCodes.includes(code))).toEqual([]);
    const rows = await recoveryRows(account.userId);
    expect(rows).toHaveLength(10);
    expect(rows.filter((row) => oldHashes.includes(row.code_hash))).toEqual([]);

    const { mfa_token } = await logInToMfa(account.email);
    const old = await completeMfa(mfa_token, { recovery_code: account.recoveryCodes[0] ?? "" });
    expect(old.status).toBe(400);
    expect(await readJson(old)).toMatchObject({ code: "invalid_mfa_code" });
    expect((await completeMfa(mfa_token, { recovery_code: recovery_codes[0] ?? "" })).status).toBe(200);
  });

  it("refuses a body without a TOTP code, and accounts without TOTP with 404 totp_not_enabled", async () => {
    const account = await signUpWithTotp();
    const missing = await regenerate(account.tokens.access_token, {});
    expect(missing.status).toBe(400);
    expect(await readJson(missing)).toMatchObject({ code: "invalid_request" });
    const recoveryInstead = await regenerate(account.tokens.access_token, {
      recovery_code: account.recoveryCodes[0] ?? "",
    });
    expect(recoveryInstead.status).toBe(400);

    const plain = await signUp();
    const none = await regenerate(plain.tokens.access_token, { code: "123456" });
    expect(none.status).toBe(404);
    expect(await readJson(none)).toMatchObject({ code: "totp_not_enabled" });
  });

  it("needs a bearer token", async () => {
    const response = await call("POST", "/v1/mfa/recovery-codes", { json: { code: "123456" } });
    expect(response.status).toBe(401);
    expect(await readJson(response)).toMatchObject({ code: "invalid_token" });
  });
});
