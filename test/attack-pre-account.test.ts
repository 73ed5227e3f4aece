// Pre-account hijack and mail-flood attacks on sign-up and resend. A squatter who signs up with
// someone else's address (and never verifies) must keep nothing once the address's owner shows up:
// no password, username, factor or session; resend and sign-up must not tell addresses apart by
// answer, timing or a provider outage, nor mail one address without limit.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../src/index";
import { PASSWORD, signUp, uniqueEmail } from "./support/accounts";
import { buildRequest, call, callAndSettle, readJson } from "./support/http";
import { callRequired, latestCode, mailTo, resendEnv, signUpPending, userState } from "./support/mail";
import { awaitFreshMinute } from "./support/throttle";
import { completeMfa, signUpWithTotp, totpRow } from "./support/totp";

const SQUATTER_PASSWORD = "the squatter's own passphrase";
const OWNER_PASSWORD = "the owner's real passphrase";

afterEach(() => {
  vi.restoreAllMocks();
});

async function signUpRequired(email: string, password: string, extra: Record<string, unknown> = {}) {
  const response = await callRequired("POST", "/v1/signup", { json: { email, password, ...extra } });
  expect(response.status).toBe(201);
  return readJson<{ otp_request_id: string }>(response);
}

async function loginStatus(email: string, password: string): Promise<number> {
  return (await callRequired("POST", "/v1/login", { json: { email, password } })).status;
}

describe("a squatter's never-verified registration", () => {
  it("is replaced by the owner's sign-up: after resend and the code, only the owner's password works", async () => {
    const email = uniqueEmail("victim");
    const squatName = `squat_${crypto.randomUUID().slice(0, 8)}`;
    await signUpRequired(email, SQUATTER_PASSWORD, { username: squatName, name: "Squatter" });
    const userId = (await env.DB.prepare("select id from users where email = ?").bind(email).first<{ id: string }>())
      ?.id;

    await signUpRequired(email, OWNER_PASSWORD);
    const resend = await callRequired("POST", "/v1/email/verify/resend", { json: { email } });
    expect(resend.status).toBe(202);
    const { otp_request_id } = await readJson<{ otp_request_id: string }>(resend);
    const { code } = await latestCode(email, "verify_email");
    const verified = await callRequired("POST", "/v1/email/verify", { json: { otp_request_id, code } });
    expect(verified.status).toBe(200);
    const body = await readJson<{ user: Record<string, unknown>; access_token: string }>(verified);
    expect(body.user).toMatchObject({ id: userId, email, email_verified: true, username: null, name: null });
    expect(typeof body.access_token).toBe("string");

    expect(await loginStatus(email, OWNER_PASSWORD)).toBe(200);
    expect(await loginStatus(email, SQUATTER_PASSWORD)).toBe(401);
    // The squatter's username is free again: someone else can take it.
    const other = await signUpRequired(uniqueEmail(), PASSWORD, { username: squatName });
    expect(other.otp_request_id).toBeTruthy();
    // Once verified, a further sign-up changes nothing and only notifies the owner.
    await signUpRequired(email, SQUATTER_PASSWORD);
    expect((await mailTo(email))[0]?.kind).toBe("account_exists");
    expect(await loginStatus(email, OWNER_PASSWORD)).toBe(200);
  });

  it("makes the squatter's own pending code useless once the owner signs up", async () => {
    const email = uniqueEmail("victim");
    const squat = await signUpRequired(email, SQUATTER_PASSWORD);
    const squatCode = await latestCode(email, "verify_email");
    await signUpRequired(email, OWNER_PASSWORD);
    const stale = await callRequired("POST", "/v1/email/verify", {
      json: { otp_request_id: squat.otp_request_id, code: squatCode.code },
    });
    expect(stale.status).toBe(400);
    expect(await readJson(stale)).toMatchObject({ code: "invalid_code" });
    expect((await userState((await signUpPendingId(email)) ?? ""))?.email_verified).toBe(0);
  });

  it("refuses the owner a username another account holds, and then replaces nothing", async () => {
    const taken = `held_${crypto.randomUUID().slice(0, 8)}`;
    await signUp({ username: taken });
    const email = uniqueEmail("victim");
    await signUpRequired(email, SQUATTER_PASSWORD);
    const before = await userState((await signUpPendingId(email)) ?? "");
    const refused = await callRequired("POST", "/v1/signup", {
      json: { email, password: OWNER_PASSWORD, username: taken },
    });
    expect(refused.status).toBe(409);
    expect(await readJson(refused)).toMatchObject({ code: "username_taken" });
    expect(await userState((await signUpPendingId(email)) ?? "")).toEqual(before);
  });

  it("does not keep the owner from moving an existing account to the squatted address", async () => {
    const owner = await signUpPending();
    const verified = await callRequired("POST", "/v1/email/verify", { json: { token: owner.received.token } });
    const { access_token } = await readJson<{ access_token: string }>(verified);
    const target = uniqueEmail("wanted");
    await signUpRequired(target, SQUATTER_PASSWORD);
    const squatId = await signUpPendingId(target);

    const change = await callRequired("POST", "/v1/email/change", {
      token: access_token,
      json: { new_email: target, password: PASSWORD },
    });
    expect(change.status).toBe(202);
    const { otp_request_id } = await readJson<{ otp_request_id: string }>(change);
    const { code } = await latestCode(target, "email_change_code");
    const switched = await callRequired("POST", "/v1/email/verify", { json: { otp_request_id, code } });
    expect(switched.status).toBe(200);
    expect((await userState(owner.userId))?.email).toBe(target);
    expect(await userState(squatId ?? "")).toBeNull();
    expect(await loginStatus(target, SQUATTER_PASSWORD)).toBe(401);
    expect(await loginStatus(target, PASSWORD)).toBe(200);
  });

  it("loses its second factor when the owner resets the password (verification optional)", async () => {
    // With verification optional a squatter gets a session at once and can add TOTP to the account.
    const squat = await signUpWithTotp();
    const forgot = await callAndSettle("POST", "/v1/password/forgot", { json: { email: squat.email } });
    const { otp_request_id } = await readJson<{ otp_request_id: string }>(forgot);
    const { code } = await latestCode(squat.email, "reset_password");
    const reset = await callAndSettle("POST", "/v1/password/reset", {
      json: { otp_request_id, code, new_password: OWNER_PASSWORD },
    });
    expect(reset.status).toBe(204);
    expect(await totpRow(squat.userId)).toBeNull();
    const login = await call("POST", "/v1/login", { json: { email: squat.email, password: OWNER_PASSWORD } });
    expect(login.status).toBe(200);
    expect(await readJson(login)).toHaveProperty("access_token");
    // The squatter's recovery codes died with the factor.
    const recovery = await completeMfa("no-such-challenge", { recovery_code: squat.recoveryCodes[0] ?? "" });
    expect(recovery.status).toBe(401);
    const left = await env.DB.prepare("select count(*) as n from recovery_codes where user_id = ?")
      .bind(squat.userId)
      .first<{ n: number }>();
    expect(left?.n).toBe(0);
  });
});

async function signUpPendingId(email: string): Promise<string | undefined> {
  const row = await env.DB.prepare("select id from users where email = ?").bind(email).first<{ id: string }>();
  return row?.id;
}

describe("resend", () => {
  it("answers before the provider is called, the same 202 for unknown and unverified addresses, even when it is down", async () => {
    const waiting: ((response: Response) => void)[] = [];
    const fetchSpy = vi
      .spyOn(globalThis, "fetch")
      .mockImplementation(() => new Promise<Response>((resolve) => waiting.push(resolve)));
    const unverified = uniqueEmail("pending");
    await env.DB.prepare("insert into users (id, email, email_verified, created_at, updated_at) values (?, ?, 0, 1, 1)")
      .bind(crypto.randomUUID(), unverified)
      .run();

    const answers: { status: number; keys: string[] }[] = [];
    for (const email of [unverified, uniqueEmail("nobody")]) {
      const ctx = createExecutionContext();
      const request = buildRequest("POST", "/v1/email/verify/resend", { json: { email } });
      const response = await worker.fetch(request as Request<unknown, IncomingRequestCfProperties>, resendEnv, ctx);
      answers.push({ status: response.status, keys: Object.keys(await readJson(response)) });
      // The answer is in hand while the provider has not answered (for the unverified address the
      // mail is still waiting on it): neither its latency nor an outage can show in the response.
      if (email === unverified) await vi.waitFor(() => expect(waiting).toHaveLength(1));
      for (const resolve of waiting.splice(0)) resolve(new Response("upstream down", { status: 503 }));
      await waitOnExecutionContext(ctx);
    }
    expect(answers).toEqual([
      { status: 202, keys: ["otp_request_id"] },
      { status: 202, keys: ["otp_request_id"] },
    ]);
    expect(fetchSpy).toHaveBeenCalledTimes(1);
  });
});

describe("mail floods", { timeout: 60_000 }, () => {
  it("mails a registered address at most 3 'account exists' notices a minute however many sign-ups arrive", async () => {
    await awaitFreshMinute();
    const owner = await signUpPending();
    await callRequired("POST", "/v1/email/verify", { json: { token: owner.received.token } });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      statuses.push(
        (await callRequired("POST", "/v1/signup", { json: { email: owner.email, password: PASSWORD } })).status,
      );
    }
    // The first sign-up (the owner's own) used one of the three.
    expect(statuses).toEqual([201, 201, 429, 429, 429, 429]);
    expect(await mailTo(owner.email, "account_exists")).toHaveLength(2);
  });
});
