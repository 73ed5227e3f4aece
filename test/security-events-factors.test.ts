// The security event log, continued: second factors (TOTP, recovery codes, SMS sign-in), sign-ins
// through a second factor, sessions revoked (one, all), refresh-token reuse and API keys. Each is
// written by the real route that causes it, once, and never holds a secret, code, token or number.
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { logIn, PASSWORD, refresh, sessionOf, signUp } from "./support/accounts";
import { createKey } from "./support/api-keys";
import { callAndSettle, readJson } from "./support/http";
import { eventRowsOf, eventsOfType, expectNoSecretsStored } from "./support/security-events";
import { uniquePhone, verifyPhone } from "./support/sms";
import { holdTotpStep, logInToMfa, signUpWithTotp, totpCode, wrongTotpCode } from "./support/totp";

const typesOf = async (userId: string) => (await eventRowsOf(userId)).map((row) => row.type);

describe("second-factor events", () => {
  it("records TOTP added, a sign-in through it, a failed code, new recovery codes and TOTP removed", async () => {
    holdTotpStep();
    const account = await signUpWithTotp();
    const [added] = await eventsOfType(account.userId, "factor_added");
    expect(added).toMatchObject({ actor_user_id: account.userId, detail: { factor: "totp" } });

    const challenge = await logInToMfa(account.email);
    expect(await typesOf(account.userId)).not.toContain("sign_in_succeeded");
    const wrong = await callAndSettle("POST", "/v1/login/mfa", {
      json: { mfa_token: challenge.mfa_token, code: await wrongTotpCode(account.secret) },
    });
    expect(wrong.status).toBe(400);
    const [failed] = await eventsOfType(account.userId, "sign_in_failed");
    expect(failed?.detail).toEqual({ reason: "mfa_failed" });
    const code = await totpCode(account.secret);
    const done = await callAndSettle("POST", "/v1/login/mfa", { json: { mfa_token: challenge.mfa_token, code } });
    expect(done.status).toBe(200);
    const [signedIn] = await eventsOfType(account.userId, "sign_in_succeeded");
    expect(signedIn?.detail).toMatchObject({ amr: "pwd otp mfa" });

    await env.DB.prepare("update totp_factors set last_used_step = null where user_id = ?").bind(account.userId).run();
    const regenerated = await callAndSettle("POST", "/v1/mfa/recovery-codes", {
      token: account.tokens.access_token,
      json: { code: await totpCode(account.secret) },
    });
    expect(regenerated.status).toBe(200);
    const { recovery_codes } = await readJson<{ recovery_codes: string[] }>(regenerated);
    const added2 = await eventsOfType(account.userId, "factor_added", 2);
    expect(added2[1]?.detail).toEqual({ factor: "recovery_codes", replaced: true });

    const removed = await callAndSettle("DELETE", "/v1/mfa/totp", {
      token: account.tokens.access_token,
      json: { password: PASSWORD, recovery_code: recovery_codes[0] },
    });
    expect(removed.status).toBe(204);
    const [gone] = await eventsOfType(account.userId, "factor_removed");
    expect(gone?.detail).toEqual({ factor: "totp" });
    await expectNoSecretsStored([
      account.secret,
      ...account.recoveryCodes,
      ...recovery_codes,
      challenge.mfa_token,
      code,
      PASSWORD,
    ]);
  });

  it("records SMS sign-in turned on and off once each, never the number", async () => {
    const account = await signUp();
    const phone = uniquePhone();
    await verifyPhone(account.tokens.access_token, phone);
    const turn = (method: "POST" | "DELETE") =>
      callAndSettle(method, "/v1/mfa/sms", { token: account.tokens.access_token, json: { password: PASSWORD } });
    expect((await turn("POST")).status).toBe(204);
    expect((await turn("DELETE")).status).toBe(204);
    // Off again: nothing changed, nothing recorded.
    expect((await turn("DELETE")).status).toBe(204);
    const [on] = await eventsOfType(account.userId, "factor_added");
    const [off] = await eventsOfType(account.userId, "factor_removed");
    expect([on?.detail, off?.detail]).toEqual([{ factor: "sms" }, { factor: "sms" }]);
    expect((await typesOf(account.userId)).filter((type) => type.startsWith("factor_"))).toHaveLength(2);
    await expectNoSecretsStored([phone, phone.slice(1)]);
  });
});

describe("session events", () => {
  it("records one session revoked and every session revoked, by the user", async () => {
    const account = await signUp();
    const second = await logIn(account.email);
    await logIn(account.email);
    const one = await callAndSettle("DELETE", `/v1/sessions/${sessionOf(second.access_token)}`, {
      token: account.tokens.access_token,
    });
    expect(one.status).toBe(204);
    const all = await callAndSettle("DELETE", "/v1/sessions", { token: account.tokens.access_token });
    expect(all.status).toBe(204);
    const events = await eventsOfType(account.userId, "session_revoked", 2);
    expect(events.map((event) => [event.actor_user_id, event.detail])).toEqual([
      [account.userId, { scope: "one", session_id: sessionOf(second.access_token) }],
      [account.userId, { scope: "all", sessions_ended: 2 }],
    ]);
  });

  it("records a logout once (a second logout of the same session changes nothing)", async () => {
    const account = await signUp();
    const token = account.tokens.access_token;
    expect((await callAndSettle("POST", "/v1/logout", { token })).status).toBe(204);
    const again = await callAndSettle("POST", "/v1/logout", { json: { refresh_token: account.tokens.refresh_token } });
    expect(again.status).toBe(204);
    const events = await eventsOfType(account.userId, "session_revoked");
    expect(events.map((event) => [event.actor_user_id, event.detail])).toEqual([
      [account.userId, { scope: "logout", session_id: sessionOf(token) }],
    ]);
  });

  it("records a session ended by another Worker (RPC revokeSession) with no person as actor", async () => {
    const account = await signUp();
    const sid = sessionOf(account.tokens.access_token);
    expect(await exports.AuthService.revokeSession(sid)).toEqual({ revoked: true });
    const [event] = await eventsOfType(account.userId, "session_revoked");
    expect([event?.actor_user_id, event?.detail]).toEqual([null, { scope: "one", session_id: sid, by: "service" }]);
  });

  it("records nothing for a session that is not the caller's", async () => {
    const account = await signUp();
    const other = await signUp();
    const response = await callAndSettle("DELETE", `/v1/sessions/${sessionOf(other.tokens.access_token)}`, {
      token: account.tokens.access_token,
    });
    expect(response.status).toBe(404);
    expect(await typesOf(account.userId)).not.toContain("session_revoked");
    expect(await typesOf(other.userId)).not.toContain("session_revoked");
  });

  it("records refresh-token reuse once, however many replays arrive together", async () => {
    const account = await signUp();
    expect((await refresh(account.tokens.refresh_token)).status).toBe(200);
    await env.DB.prepare("update refresh_tokens set rotated_at = rotated_at - 31 where rotated_at is not null").run();
    const replays = await Promise.all(
      Array.from({ length: 5 }, () =>
        callAndSettle("POST", "/v1/token/refresh", { json: { refresh_token: account.tokens.refresh_token } }),
      ),
    );
    expect(replays.map((response) => response.status)).toEqual([401, 401, 401, 401, 401]);
    const [reuse] = await eventsOfType(account.userId, "refresh_reuse_detected");
    expect(reuse).toMatchObject({
      actor_user_id: null,
      detail: { session_id: sessionOf(account.tokens.access_token) },
    });
    expect((await typesOf(account.userId)).filter((type) => type === "refresh_reuse_detected")).toHaveLength(1);
    await expectNoSecretsStored([account.tokens.refresh_token, account.tokens.access_token]);
  });
});

describe("API key events", () => {
  it("records a key created, rolled and revoked with its ids, never the key", async () => {
    const account = await signUp();
    const key = await createKey(account);
    const rolled = await callAndSettle("POST", `/v1/keys/${key.id}/roll`, {
      token: account.tokens.access_token,
      json: { grace_seconds: 60 },
    });
    expect(rolled.status).toBe(201);
    const successor = await readJson<{ id: string; api_key: string }>(rolled);
    const revoked = await callAndSettle("DELETE", `/v1/keys/${successor.id}`, { token: account.tokens.access_token });
    expect(revoked.status).toBe(204);

    const [created] = await eventsOfType(account.userId, "api_key_created");
    expect(created).toMatchObject({ actor_user_id: account.userId, detail: { key_id: key.id, scopes: "verify" } });
    const [roll] = await eventsOfType(account.userId, "api_key_rolled");
    expect(roll?.detail).toMatchObject({
      key_id: key.id,
      successor_id: successor.id,
      grace_ends_at: expect.any(Number),
    });
    const [revoke] = await eventsOfType(account.userId, "api_key_revoked");
    expect(revoke?.detail).toEqual({ key_id: successor.id });
    await expectNoSecretsStored([key.api_key, successor.api_key]);
  });

  it("records nothing for a refused key operation", async () => {
    const account = await signUp();
    const refused = await callAndSettle("POST", "/v1/keys", {
      token: account.tokens.access_token,
      json: { name: "ops", scopes: ["admin"] },
    });
    expect(refused.status).toBe(403);
    const unknown = await callAndSettle("DELETE", `/v1/keys/${crypto.randomUUID()}`, {
      token: account.tokens.access_token,
    });
    expect(unknown.status).toBe(404);
    expect(await eventRowsOf(account.userId)).toEqual([]);
  });
});
