// wolfpal registration and DIALECT_WOLFPAL_UNCONFIRMED_LOGIN: the confirmation mail, the document's
// 409 for a taken username or address, what a second registration for a never-confirmed address does
// (nothing where unconfirmed accounts log in; the core's replacement where they do not), and the
// refusal of an unconfirmed login when the knob is off.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { me, PASSWORD, uniqueEmail } from "./support/accounts";
import { proveAddress } from "./support/dialect-parity";
import {
  callConfirmedOnly,
  confirmedOnlyEnv,
  INVALID_CREDENTIALS,
  PENDING,
  register,
  uniqueUsername,
  userRowOf,
  wolfpalAccount,
  wolfpalLogIn,
} from "./support/dialect-wolfpal";
import { expectDialectError } from "./support/dialects";
import { call, callWith, readJson } from "./support/http";
import { callRequired, mailTo, resendEnv, tokenOf } from "./support/mail";

const ALREADY_EXISTS = { code: "ALREADY_EXISTS", error: "This username or email already exists." };
const OTHER_PASSWORD = "another long passphrase here";

afterEach(() => {
  vi.restoreAllMocks();
});

/** The verification link of the newest confirmation mail to `email`, redeemed at /v1/email/verify. */
async function confirmLatest(email: string): Promise<Response> {
  const [mail] = await mailTo(email, "verify_email");
  if (!mail?.link) throw new Error(`no confirmation mail to ${email}`);
  return call("POST", "/v1/email/verify", { json: { token: tokenOf(mail.link) } });
}

describe("wolfpal registration", () => {
  it("mails a confirmation (code and link) that confirms the address; the account logs in meanwhile", async () => {
    const account = await wolfpalAccount();
    expect((await userRowOf(account.email))?.email_verified).toBe(0);
    const [mail] = await mailTo(account.email, "verify_email");
    expect(mail).toMatchObject({ code: expect.stringMatching(/^\d{6}$/), link: expect.stringContaining("token=") });
    expect((await confirmLatest(account.email)).status).toBe(200);
    expect((await userRowOf(account.email))?.email_verified).toBe(1);
    // /v1 keeps its own rule for unconfirmed accounts; this one is confirmed now.
    expect(
      (await callRequired("POST", "/v1/login", { json: { email: account.email, password: PASSWORD } })).status,
    ).toBe(200);
  });

  it("answers 409 ALREADY_EXISTS for a taken username (any case) and stores nothing", async () => {
    const account = await wolfpalAccount();
    const email = uniqueEmail("second");
    const again = await register({ username: account.username.toUpperCase(), email, password: PASSWORD });
    await expectDialectError(again, 409, ALREADY_EXISTS);
    expect(await userRowOf(email)).toBeNull();
    expect(await mailTo(email)).toEqual([]);
  });

  it("answers 409 ALREADY_EXISTS for a confirmed address, mails nobody, changes nothing", async () => {
    const account = await wolfpalAccount();
    await proveAddress(account.email);
    const before = await userRowOf(account.email);
    const mails = (await mailTo(account.email)).length;
    const again = await register({ username: uniqueUsername(), email: account.email, password: OTHER_PASSWORD });
    await expectDialectError(again, 409, ALREADY_EXISTS);
    expect(await userRowOf(account.email)).toEqual(before);
    expect((await mailTo(account.email)).length).toBe(mails);
  });

  it("with unconfirmed logins on, a never-confirmed account is in use: a second registration is refused", async () => {
    const owner = await wolfpalAccount();
    const before = await userRowOf(owner.email);
    const mails = (await mailTo(owner.email)).length;
    const squat = await register({ username: uniqueUsername("squat"), email: owner.email, password: OTHER_PASSWORD });
    await expectDialectError(squat, 409, ALREADY_EXISTS);
    // Nothing was replaced: the owner's password, username and session stand; the other one opens nothing.
    expect(await userRowOf(owner.email)).toEqual(before);
    expect((await me(owner.access_token)).status).toBe(200);
    await expectDialectError(await wolfpalLogIn(owner.email, OTHER_PASSWORD), 400, INVALID_CREDENTIALS);
    expect((await wolfpalLogIn(owner.email)).status).toBe(200);
    expect((await mailTo(owner.email)).length).toBe(mails);
  });

  it("keeps the account and answers 503 MAIL_UNAVAILABLE when the mail provider is down", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(async () => new Response("upstream down", { status: 503 }));
    const email = uniqueEmail("down");
    const response = await register({ username: uniqueUsername(), email, password: PASSWORD }, resendEnv);
    await expectDialectError(response, 503, {
      code: "MAIL_UNAVAILABLE",
      error: "The email could not be sent; try again shortly.",
    });
    expect(await userRowOf(email)).toMatchObject({ email_verified: 0 });
  });
});

describe("DIALECT_WOLFPAL_UNCONFIRMED_LOGIN=false", () => {
  it("refuses an unconfirmed account after a correct password only, and logs it in once confirmed", async () => {
    const email = uniqueEmail("confirm");
    const registered = await register({ username: uniqueUsername(), email, password: PASSWORD }, confirmedOnlyEnv);
    expect(registered.status).toBe(201);
    expect(await readJson(registered)).toEqual(PENDING);
    const login = (password: string) => callConfirmedOnly("POST", "/auth/login", { json: { email, password } });
    await expectDialectError(await login(OTHER_PASSWORD), 400, INVALID_CREDENTIALS);
    await expectDialectError(await login(PASSWORD), 403, {
      code: "PENDING_CONFIRMATION",
      error: "Please confirm your email address before you log in.",
    });
    expect(
      await env.DB.prepare("select count(*) as n from sessions s join users u on u.id = s.user_id where u.email = ?")
        .bind(email)
        .first(),
    ).toEqual({ n: 0 });
    expect((await confirmLatest(email)).status).toBe(200);
    const confirmed = await login(PASSWORD);
    expect(confirmed.status).toBe(200);
    expect(await readJson(confirmed)).toMatchObject({ twoFactor: false });
  });

  it("a second registration replaces a never-confirmed one (the core's rule): only the newest mail confirms", async () => {
    // Only where no surface signs unverified accounts in: /v1 requires verification, crema is off.
    const strict = { ...confirmedOnlyEnv, EMAIL_VERIFICATION: "required", DIALECTS: "wolfpal" };
    const email = uniqueEmail("replaced");
    const first = { username: uniqueUsername("first"), email, password: PASSWORD };
    expect((await register(first, strict)).status).toBe(201);
    const [firstMail] = await mailTo(email, "verify_email");
    const { id } = (await userRowOf(email)) ?? {};
    const second = { username: uniqueUsername("second"), email, password: OTHER_PASSWORD };
    const replaced = await register(second, strict);
    expect(replaced.status).toBe(201);
    expect(await readJson(replaced)).toEqual(PENDING);
    // The same account, now the second registration's; the first mail's link is dead.
    expect(await userRowOf(email)).toMatchObject({ id, username: second.username, email_verified: 0 });
    const stale = await call("POST", "/v1/email/verify", { json: { token: tokenOf(firstMail?.link ?? "") } });
    expect(stale.status).toBe(400);
    expect((await confirmLatest(email)).status).toBe(200);
    const login = (password: string) => callWith(strict, "POST", "/auth/login", { json: { email, password } });
    await expectDialectError(await login(PASSWORD), 400, INVALID_CREDENTIALS);
    expect((await login(OTHER_PASSWORD)).status).toBe(200);
  });

  it("still answers 409 for a confirmed address", async () => {
    const account = await wolfpalAccount();
    await proveAddress(account.email);
    const again = await callWith(confirmedOnlyEnv, "POST", "/auth/register", {
      json: { username: uniqueUsername(), email: account.email, password: OTHER_PASSWORD },
    });
    await expectDialectError(again, 409, ALREADY_EXISTS);
  });
});
