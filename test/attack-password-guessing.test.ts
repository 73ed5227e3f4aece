// Password guessing behind a stolen access token, and across an account's identifiers. Every
// password re-check (password change, email change, account deletion, second-factor changes) and
// every login count in one row per account: 10 failures anywhere lock password checks everywhere.
import { describe, expect, it } from "vitest";
import { PASSWORD, sessionRowCount, signUp, type TestAccount, uniqueEmail } from "./support/accounts";
import { type CallOptions, call, callAndSettle, readJson } from "./support/http";
import { mailTo, userState } from "./support/mail";
import { awaitFreshMinute, endLock, failureRowOf, nowSeconds, randomIp } from "./support/throttle";
import { startEnrolment, totpCode } from "./support/totp";

const WRONG = "not the passphrase at all";
const NEW_PASSWORD = "a brand new passphrase";

/** The re-check routes, each with a body that carries `password` as its password. */
const RECHECKS: { method: string; path: string; body: (password: string) => Record<string, unknown> }[] = [
  {
    method: "POST",
    path: "/v1/password/change",
    body: (password) => ({ current_password: password, new_password: NEW_PASSWORD }),
  },
  { method: "POST", path: "/v1/email/change", body: (password) => ({ new_email: uniqueEmail("new"), password }) },
  { method: "DELETE", path: "/v1/me", body: (password) => ({ password }) },
  { method: "POST", path: "/v1/mfa/sms", body: (password) => ({ password }) },
  { method: "DELETE", path: "/v1/mfa/sms", body: (password) => ({ password }) },
];

function recheck(account: TestAccount, index: number, password: string, extra: CallOptions = {}): Promise<Response> {
  const route = RECHECKS[index % RECHECKS.length];
  if (!route) throw new Error("no route");
  return call(route.method, route.path, { token: account.tokens.access_token, json: route.body(password), ...extra });
}

async function expectInvalidCredentials(response: Response): Promise<void> {
  expect(response.status).toBe(401);
  expect(await readJson(response)).toMatchObject({ code: "invalid_credentials", status: 401 });
}

describe("password re-checks behind a stolen access token", () => {
  it("locks after 10 wrong passwords spread over every re-check route; the right one then changes nothing", async () => {
    const account = await signUp();
    const ip = randomIp();
    const before = await userState(account.userId);
    for (let i = 0; i < 10; i += 1) await expectInvalidCredentials(await recheck(account, i, WRONG, { ip }));

    // The right password now fails on every route, and at login too, with the same answer.
    for (let i = 0; i < RECHECKS.length; i += 1) {
      await expectInvalidCredentials(await recheck(account, i, PASSWORD, { ip: randomIp() }));
    }
    await expectInvalidCredentials(
      await call("POST", "/v1/login", { json: { email: account.email, password: PASSWORD } }),
    );

    // Nothing was changed, deleted or mailed; one row counts it all, for the account.
    expect(await userState(account.userId)).toEqual(before);
    expect(await mailTo(account.email, "email_change_notice")).toHaveLength(0);
    const row = await failureRowOf({ email: account.email });
    expect(row?.identifier_hash).toBe(`account:${account.userId}`);
    expect(row?.failures).toBe(10);
    expect(row?.locked_until).toBeGreaterThan(nowSeconds());

    // Once the cool-off ends the right password works again and forgets the failures.
    await endLock({ email: account.email });
    const change = await recheck(account, 0, PASSWORD);
    expect(change.status).toBe(204);
    expect(await failureRowOf({ email: account.email })).toBeNull();
  });

  it("counts TOTP confirmation and removal re-checks in the same row", async () => {
    const account = await signUp();
    const { secret } = await startEnrolment(account.tokens.access_token);
    const token = account.tokens.access_token;
    const confirm = await call("POST", "/v1/mfa/totp/confirm", {
      token,
      json: { code: await totpCode(secret), password: WRONG },
    });
    await expectInvalidCredentials(confirm);
    // The password is judged before the factor, so a wrong one answers 401 even with no factor yet.
    const remove = await call("DELETE", "/v1/mfa/totp", { token, json: { code: "123456", password: WRONG } });
    await expectInvalidCredentials(remove);
    expect((await failureRowOf({ email: account.email }))?.failures).toBe(2);
  });

  it("adds up with failed logins: 5 at login and 5 behind the token lock both", async () => {
    const account = await signUp();
    for (let i = 0; i < 5; i += 1) {
      await expectInvalidCredentials(
        await call("POST", "/v1/login", { json: { email: account.email, password: WRONG } }),
      );
    }
    for (let i = 0; i < 5; i += 1) await expectInvalidCredentials(await recheck(account, i, WRONG));
    await expectInvalidCredentials(
      await call("POST", "/v1/login", { json: { email: account.email, password: PASSWORD } }),
    );
    expect((await failureRowOf({ email: account.email }))?.failures).toBe(10);
  });

  it("gates re-checks per IP: the 61st in a minute from one address is 429 before any hashing", {
    timeout: 60_000,
  }, async () => {
    await awaitFreshMinute();
    const ip = randomIp();
    const accounts = await Promise.all(Array.from({ length: 6 }, () => signUp()));
    const statuses: number[] = [];
    for (const account of accounts) {
      for (let i = 0; i < 10; i += 1) statuses.push((await recheck(account, 2, WRONG, { ip })).status);
    }
    expect(statuses).toEqual(Array(60).fill(401));
    const fresh = await signUp();
    const limited = await recheck(fresh, 2, PASSWORD, { ip });
    expect(limited.status).toBe(429);
    expect(limited.headers.get("Retry-After")).toBeTruthy();
    expect(await readJson(limited)).toMatchObject({ code: "rate_limited" });
    // Refused at the gate: the account was neither counted nor deleted.
    expect(await failureRowOf({ email: fresh.email })).toBeNull();
    expect(await userState(fresh.userId)).not.toBeNull();
  });
});

describe("the login lock per account", () => {
  it("locks the username too once the email has locked: the right password through it fails", async () => {
    const username = `lock_${crypto.randomUUID().slice(0, 8)}`;
    const account = await signUp({ username });
    for (let i = 0; i < 10; i += 1) {
      await expectInvalidCredentials(
        await call("POST", "/v1/login", { json: { email: account.email, password: WRONG } }),
      );
    }
    const viaUsername = await call("POST", "/v1/login", { json: { username, password: PASSWORD } });
    await expectInvalidCredentials(viaUsername);
    expect(await sessionRowCount(account.userId)).toBe(1);
    expect(await failureRowOf({ username })).toEqual(await failureRowOf({ email: account.email }));
  });

  it("still locks unknown emails and usernames alike, each on its own count", async () => {
    const email = uniqueEmail("nobody");
    const username = `nobody_${crypto.randomUUID().slice(0, 8)}`;
    for (let i = 0; i < 10; i += 1) {
      await expectInvalidCredentials(await call("POST", "/v1/login", { json: { email, password: WRONG } }));
      await expectInvalidCredentials(await call("POST", "/v1/login", { json: { username, password: WRONG } }));
    }
    const emailRow = await failureRowOf({ email });
    const usernameRow = await failureRowOf({ username });
    expect(emailRow?.failures).toBe(10);
    expect(usernameRow?.failures).toBe(10);
    expect(emailRow?.identifier_hash).not.toBe(usernameRow?.identifier_hash);
    expect(emailRow?.identifier_hash).not.toContain("account:");
  });

  it("lets a password reset lift the account's lock", async () => {
    const account = await signUp();
    for (let i = 0; i < 10; i += 1) await recheck(account, 2, WRONG);
    const forgot = await callAndSettle("POST", "/v1/password/forgot", { json: { email: account.email } });
    expect(forgot.status).toBe(202);
    const [mail] = await mailTo(account.email, "reset_password");
    const { otp_request_id } = await readJson<{ otp_request_id: string }>(forgot);
    const reset = await callAndSettle("POST", "/v1/password/reset", {
      json: { otp_request_id, code: mail?.code, new_password: NEW_PASSWORD },
    });
    expect(reset.status).toBe(204);
    expect(await failureRowOf({ email: account.email })).toBeNull();
    const login = await call("POST", "/v1/login", { json: { email: account.email, password: NEW_PASSWORD } });
    expect(login.status).toBe(200);
  });
});
