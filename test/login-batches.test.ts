// A password login makes two D1 round trips: before the hash, one batch counts the attempt for the
// lock and reads the account with its TOTP state; after it, one batch opens the session (or the MFA
// challenge) and forgets the identifier's failures. Sign-up with verification required stores the
// user and the first code in one batch. These cases pin what each batch decides and leaves behind.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import type { Bindings } from "../src/bindings";
import { getServiceContext } from "../src/context";
import { hashPassword } from "../src/crypto/password-hash";
import { admitLogin, type LoginIdentifier } from "../src/services/login-throttle";
import { PASSWORD, sessionRowCount, signUp, uniqueEmail } from "./support/accounts";
import { dropAllFaults, dropFault, injectFault } from "./support/faults";
import { call, readJson } from "./support/http";
import { callRequired, codeRowsOf, mailTo, signUpPending } from "./support/mail";
import { failureRowOf, nowSeconds } from "./support/throttle";
import { challengeRowsOf, signUpWithTotp, startEnrolment } from "./support/totp";

const WRONG = "not the passphrase at all";
afterEach(dropAllFaults);

async function admit(identifier: LoginIdentifier) {
  return admitLogin(await getServiceContext(env as Bindings), identifier);
}

function login(identifier: LoginIdentifier, password: string, required = false): Promise<Response> {
  const options = { json: { ...identifier, password } };
  return required ? callRequired("POST", "/v1/login", options) : call("POST", "/v1/login", options);
}

async function failTimes(identifier: LoginIdentifier, times: number, required = false): Promise<void> {
  for (let i = 0; i < times; i += 1) expect((await login(identifier, WRONG, required)).status).toBe(401);
}

async function expectUnavailable(response: Response): Promise<void> {
  expect(response.status).toBe(503);
  expect(await readJson(response)).toMatchObject({ code: "service_unavailable", status: 503 });
}

describe("the admission batch: the lock's count and the account in one round trip", () => {
  it("counts the attempt and reads the account by email in any case, with a confirmed TOTP factor", async () => {
    const account = await signUpWithTotp();
    const admission = await admit({ email: account.email.toUpperCase() });
    expect(admission).toMatchObject({ admitted: true, hasConfirmedTotp: true, user: { id: account.userId } });
    expect((await failureRowOf({ email: account.email }))?.failures).toBe(1);
  });

  it("reports no TOTP factor for an enrolment that was never confirmed, nor for an account without one", async () => {
    const pending = await signUp();
    await startEnrolment(pending.tokens.access_token);
    const without = await signUp();
    expect(await admit({ email: pending.email })).toMatchObject({ admitted: true, hasConfirmedTotp: false });
    expect(await admit({ email: without.email })).toMatchObject({ admitted: true, hasConfirmedTotp: false });
  });

  it("reads the account by username", async () => {
    const username = `u_${crypto.randomUUID().slice(0, 12)}`;
    const account = await signUp({ username });
    const admission = await admit({ username: username.toUpperCase() });
    expect(admission).toMatchObject({ admitted: true, hasConfirmedTotp: false, user: { id: account.userId } });
  });

  it("counts an unknown email and input that can name no account, and finds no account for either", async () => {
    for (const identifier of [{ email: uniqueEmail("nobody") }, { username: "no spaces allowed here" }]) {
      expect(await admit(identifier)).toMatchObject({ admitted: true, user: undefined, hasConfirmedTotp: false });
      expect((await failureRowOf(identifier))?.failures).toBe(1);
    }
  });

  it("refuses a locked identifier, reporting nothing of the account and writing nothing", async () => {
    const account = await signUpWithTotp();
    const identifier = { email: account.email };
    await failTimes(identifier, 10);
    const before = await failureRowOf(identifier);
    expect(before?.locked_until).toBeGreaterThan(nowSeconds());

    expect(await admit(identifier)).toEqual({ admitted: false });
    expect(await failureRowOf(identifier)).toEqual(before);
  });
});

describe("a right password forgets the failures on every path", () => {
  it("with TOTP: answers the MFA challenge and forgets them in the challenge's batch", async () => {
    const account = await signUpWithTotp();
    const identifier = { email: account.email };
    await failTimes(identifier, 3);

    const response = await login(identifier, PASSWORD);
    expect(response.status).toBe(200);
    expect(await readJson(response)).toMatchObject({ mfa_required: true, methods: ["totp", "recovery_code"] });
    expect(await failureRowOf(identifier)).toBeNull();
    expect(await challengeRowsOf(account.userId)).toHaveLength(1);
  });

  it("before the address is verified: answers 403 email_not_verified and still forgets them", async () => {
    const account = await signUpPending();
    const identifier = { email: account.email };
    await failTimes(identifier, 3, true);

    const response = await login(identifier, PASSWORD, true);
    expect(response.status).toBe(403);
    expect(await readJson(response)).toMatchObject({ code: "email_not_verified" });
    expect(await failureRowOf(identifier)).toBeNull();
    expect(await sessionRowCount(account.userId)).toBe(0);
  });

  it("with a hash weaker than policy: upgrades it, opens the session and forgets them", async () => {
    const account = await signUp();
    const weak = await hashPassword(PASSWORD, { logN: 4, blockSize: 8, parallelism: 1 });
    await env.DB.prepare("update users set password_hash = ? where id = ?").bind(weak, account.userId).run();
    const identifier = { email: account.email };
    await failTimes(identifier, 3);

    expect((await login(identifier, PASSWORD)).status).toBe(200);
    expect(await failureRowOf(identifier)).toBeNull();
    expect(await sessionRowCount(account.userId)).toBe(2);
    const row = await env.DB.prepare("select password_hash from users where id = ?")
      .bind(account.userId)
      .first<{ password_hash: string }>();
    expect(row?.password_hash).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$/);
  });
});

describe("D1 failing in the batch after the hash", () => {
  it("login: 503, no session, and the failures stay counted until a login commits", async () => {
    const account = await signUp();
    const identifier = { email: account.email };
    await failTimes(identifier, 2);
    await injectFault("fail_refresh_insert", "BEFORE INSERT", "refresh_tokens");

    await expectUnavailable(await login(identifier, PASSWORD));
    expect(await sessionRowCount(account.userId)).toBe(1);
    // The attempt that met the fault was counted on admission; its clearing rolled back with the session.
    expect((await failureRowOf(identifier))?.failures).toBe(3);

    await dropFault("fail_refresh_insert");
    expect((await login(identifier, PASSWORD)).status).toBe(200);
    expect(await failureRowOf(identifier)).toBeNull();
  });

  it("MFA login: 503, no challenge, and the failures stay counted", async () => {
    const account = await signUpWithTotp();
    const identifier = { email: account.email };
    await failTimes(identifier, 2);
    await injectFault("fail_challenge_insert", "BEFORE INSERT", "mfa_challenges");

    await expectUnavailable(await login(identifier, PASSWORD));
    expect(await challengeRowsOf(account.userId)).toHaveLength(0);
    expect((await failureRowOf(identifier))?.failures).toBe(3);
  });

  it("sign-up with verification required: 503, neither the user nor a code, and a retry signs up", async () => {
    const email = uniqueEmail("fault-pending");
    const signUpRequired = () => callRequired("POST", "/v1/signup", { json: { email, password: PASSWORD } });
    const userOf = () => env.DB.prepare("select id from users where email = ?").bind(email).first<{ id: string }>();
    await injectFault("fail_code_insert", "BEFORE INSERT", "one_time_codes");

    await expectUnavailable(await signUpRequired());
    expect(await userOf()).toBeNull();
    expect(await mailTo(email)).toEqual([]);

    await dropFault("fail_code_insert");
    expect((await signUpRequired()).status).toBe(201);
    const user = await userOf();
    expect(await codeRowsOf(user?.id ?? "", "verify_email")).toHaveLength(1);
    expect((await mailTo(email)).map((mail) => mail.kind)).toEqual(["verify_email"]);
  });
});
