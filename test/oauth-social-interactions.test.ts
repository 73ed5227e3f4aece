// Probes: how social sign-in meets the rest of the service — second factors, organizations and
// sign-in flows, sessions and refresh, logout, account deletion and disabling, the security event
// log and the admin API (export and import). Each test states what a serious auth service does.
import { exports } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  claimsOf,
  introspect,
  liveSessionCount,
  me,
  PASSWORD,
  refresh,
  signUp,
  type TokenPair,
  uniqueEmail,
} from "./support/accounts";
import { adminCall, issueAdminKey } from "./support/admin";
import { type FakeIdp, installFakeIdp } from "./support/fake-idp";
import { markVerified, memberOfOrgs, suspendMembership } from "./support/flows";
import { call, callAndSettle, expectProblem, readJson } from "./support/http";
import {
  callback,
  countWhere,
  exchangeCode,
  identitiesOf,
  identityBySubject,
  oidcPerson,
  redirectParameter,
  signInCode,
  startFlow,
  userByEmail,
} from "./support/oauth";
import { eventsOfType, expectNoSecretsStored, waitForEvents } from "./support/security-events";
import {
  completeMfa,
  forgetLastTotpStep,
  holdTotpStep,
  type MfaRequiredAnswer,
  signUpWithTotp,
  totpCode,
  wrongTotpCode,
} from "./support/totp";
import { cursorBefore, exportFrom } from "./support/user-export";

let fake: FakeIdp;
beforeEach(() => {
  fake = installFakeIdp();
});
afterEach(() => {
  vi.restoreAllMocks();
});

type Json = Record<string, unknown>;

async function googleToken(claims: Json) {
  return fake.idToken("google", { nonce: "n-probe", ...claims });
}

/** The credential exchange (flow 2) with a Google ID token, settled (its events written). */
async function googleSignIn(claims: Json, headers: Record<string, string> = {}) {
  return callAndSettle("POST", "/v1/oauth/google/token", {
    json: { id_token: await googleToken(claims), nonce: "n-probe" },
    headers,
  });
}

/** A verified password account with TOTP, and the Google person with its address. */
async function totpAccountWithGoogle() {
  const account = await signUpWithTotp({ email: uniqueEmail("smfa") });
  await markVerified(account.userId);
  return { account, person: oidcPerson({ email: account.email }) };
}

/** A social-only (password-less) account created by a first Google sign-in. */
async function socialOnly(headers: Record<string, string> = {}) {
  const person = oidcPerson();
  const response = await googleSignIn(person, headers);
  expect(response.status).toBe(201);
  const tokens = await readJson<TokenPair>(response);
  const userId = claimsOf(tokens.access_token).sub;
  return { person, tokens, userId };
}

async function rpcVerify(token: string) {
  return exports.AuthService.verifyToken(token) as Promise<{ valid: boolean; code?: string }>;
}

describe("a second factor after a social sign-in", () => {
  it("credential exchange: wrong code refused, right code answers amr fed+otp+mfa (no pwd), the challenge works once", async () => {
    holdTotpStep();
    const { account, person } = await totpAccountWithGoogle();
    const sessions = await liveSessionCount(account.userId);
    const first = await googleSignIn(person);
    expect(first.status).toBe(200);
    const challenge = await readJson<MfaRequiredAnswer>(first);
    expect(challenge).toMatchObject({ mfa_required: true, methods: expect.arrayContaining(["totp", "recovery_code"]) });
    expect(challenge).not.toHaveProperty("access_token");
    expect(challenge).not.toHaveProperty("refresh_token");

    await expectProblem(
      await completeMfa(challenge.mfa_token, { code: await wrongTotpCode(account.secret) }),
      400,
      "invalid_mfa_code",
    );
    expect(await liveSessionCount(account.userId)).toBe(sessions);

    const done = await completeMfa(challenge.mfa_token, { code: await totpCode(account.secret) });
    expect(done.status).toBe(200);
    const tokens = await readJson<TokenPair>(done);
    const { amr, sub } = claimsOf(tokens.access_token);
    expect(sub).toBe(account.userId);
    expect([...amr].sort()).toEqual(["fed", "mfa", "otp"]);
    expect(amr).not.toContain("pwd");

    // The challenge is spent, and the code's time step cannot be replayed on a fresh challenge.
    await expectProblem(
      await completeMfa(challenge.mfa_token, { code: await totpCode(account.secret) }),
      401,
      "invalid_mfa_token",
    );
    const again = await readJson<MfaRequiredAnswer>(await googleSignIn(person));
    await expectProblem(
      await completeMfa(again.mfa_token, { code: await totpCode(account.secret) }),
      400,
      "invalid_mfa_code",
    );
    expect(await liveSessionCount(account.userId)).toBe(sessions + 1);
  });

  it("redirect flow: the code exchange answers the challenge; its completion's amr survives a refresh", async () => {
    holdTotpStep();
    const { account, person } = await totpAccountWithGoogle();
    const { code, verifier } = await signInCode(fake, "google", person);
    const answer = await exchangeCode(code ?? "", verifier);
    expect(answer.status).toBe(200);
    const challenge = await readJson<MfaRequiredAnswer>(answer);
    expect(challenge.mfa_required).toBe(true);
    // The code was spent by the exchange: a second exchange opens neither a challenge nor a session.
    expect((await exchangeCode(code ?? "", verifier)).status).toBe(400);
    const tokens = await readJson<TokenPair>(
      await completeMfa(challenge.mfa_token, { code: await totpCode(account.secret) }),
    );
    expect([...claimsOf(tokens.access_token).amr].sort()).toEqual(["fed", "mfa", "otp"]);
    const refreshed = await readJson<TokenPair>(await refresh(tokens.refresh_token));
    expect([...claimsOf(refreshed.access_token).amr].sort()).toEqual(["fed", "mfa", "otp"]);
  });

  it("a recovery code finishes a social challenge with rc in amr, once", async () => {
    const { account, person } = await totpAccountWithGoogle();
    const challenge = await readJson<MfaRequiredAnswer>(await googleSignIn(person));
    const recovery = account.recoveryCodes[0] ?? "";
    const done = await completeMfa(challenge.mfa_token, { recovery_code: recovery });
    expect(done.status).toBe(200);
    expect([...claimsOf((await readJson<TokenPair>(done)).access_token).amr].sort()).toEqual([
      "fed",
      "mfa",
      "otp",
      "rc",
    ]);
    const next = await readJson<MfaRequiredAnswer>(await googleSignIn(person));
    await expectProblem(await completeMfa(next.mfa_token, { recovery_code: recovery }), 400, "invalid_mfa_code");
  });

  it("a TOTP factor added later is asked for on every later social sign-in (never skipped by a known identity)", async () => {
    holdTotpStep();
    const { account, person } = await totpAccountWithGoogle();
    for (let i = 0; i < 3; i += 1) {
      const body = await readJson(await googleSignIn(person));
      expect(body).toMatchObject({ mfa_required: true });
      expect(body).not.toHaveProperty("access_token");
    }
    await forgetLastTotpStep(account.userId);
  });

  it("an account disabled between the social challenge and its completion opens nothing", async () => {
    holdTotpStep();
    const { account, person } = await totpAccountWithGoogle();
    const challenge = await readJson<MfaRequiredAnswer>(await googleSignIn(person));
    const admin = await issueAdminKey();
    expect((await adminCall(admin.apiKey, "POST", `/v1/admin/users/${account.userId}/disable`)).status).toBe(200);
    await expectProblem(
      await completeMfa(challenge.mfa_token, { code: await totpCode(account.secret) }),
      401,
      "invalid_mfa_token",
    );
    expect(await liveSessionCount(account.userId)).toBe(0);
  });
});

describe("second factors a social-only account can hold", () => {
  it("a social-only account can turn TOTP on soon after signing in (re-authenticated as for linking)", async () => {
    holdTotpStep();
    const { tokens, userId } = await socialOnly();
    const { secret } = await readJson<{ secret: string }>(
      await call("POST", "/v1/mfa/totp", { token: tokens.access_token }),
    );
    const confirmed = await call("POST", "/v1/mfa/totp/confirm", {
      token: tokens.access_token,
      json: { code: await totpCode(secret) },
    });
    expect(confirmed.status).toBe(200);
    expect(
      await countWhere("select count(*) as n from totp_factors where user_id = ? and confirmed_at is not null", userId),
    ).toBe(1);
  });

  it("an admin MFA reset of a social user's TOTP lets the next social sign-in through; a wrong code was logged mfa_failed", async () => {
    holdTotpStep();
    const { account, person } = await totpAccountWithGoogle();
    const challenge = await readJson<MfaRequiredAnswer>(await googleSignIn(person));
    await callAndSettle("POST", "/v1/login/mfa", {
      json: { mfa_token: challenge.mfa_token, code: await wrongTotpCode(account.secret) },
    });
    const [failed] = await eventsOfType(account.userId, "sign_in_failed");
    expect(failed?.detail).toMatchObject({ reason: "mfa_failed" });
    const admin = await issueAdminKey();
    expect((await adminCall(admin.apiKey, "POST", `/v1/admin/users/${account.userId}/mfa/reset`)).status).toBe(200);
    // The pending challenge died with the factor.
    await expectProblem(
      await completeMfa(challenge.mfa_token, { code: await totpCode(account.secret) }),
      401,
      "invalid_mfa_token",
    );
    const after = await readJson<TokenPair>(await googleSignIn(person));
    expect(claimsOf(after.access_token).amr).toEqual(["fed"]);
  });
});

describe("organizations and sign-in flows after a social sign-in", () => {
  it("a user of two organizations answers a flow by the credential exchange, as a password login does", async () => {
    const { account } = await memberOfOrgs(2);
    const before = await liveSessionCount(account.userId);
    const response = await googleSignIn(oidcPerson({ email: account.email }));
    expect(response.status).toBe(200);
    const body = await readJson(response);
    expect(body).toMatchObject({ flow_id: expect.any(String), due: ["org"] });
    expect(body).not.toHaveProperty("access_token");
    expect(await liveSessionCount(account.userId)).toBe(before);
  });

  it("a user of two organizations answers a flow by the redirect flow's code exchange too", async () => {
    const { account } = await memberOfOrgs(2);
    const { code, verifier } = await signInCode(fake, "google", oidcPerson({ email: account.email }));
    const body = await readJson(await exchangeCode(code ?? "", verifier));
    expect(body).toMatchObject({ flow_id: expect.any(String), due: ["org"] });
    expect(body).not.toHaveProperty("access_token");
  });

  it("two organizations and TOTP: organization first, then the factor (due org, mfa)", async () => {
    const { account, person } = await totpAccountWithGoogle();
    await memberOfOrgs(2, account);
    const body = await readJson(await googleSignIn(person));
    expect(body).toMatchObject({ flow_id: expect.any(String), due: ["org", "mfa"] });
    expect(body).not.toHaveProperty("access_token");
  });

  it("one organization, or two with one suspended: tokens at once, without an org claim", async () => {
    const { account, orgs } = await memberOfOrgs(2);
    await suspendMembership(orgs[1]?.id ?? "", account.userId);
    const single = await googleSignIn(oidcPerson({ email: account.email }));
    expect(single.status).toBe(200);
    const tokens = await readJson<TokenPair & { flow_id?: string }>(single);
    expect(tokens.flow_id).toBeUndefined();
    expect(claimsOf(tokens.access_token)).not.toHaveProperty("org");
    // The social session can still be scoped to its one organization afterwards.
    const scoped = await call("POST", "/v1/session/org", { token: tokens.access_token, json: { org: orgs[0]?.id } });
    expect(scoped.status).toBe(200);
  });
});

describe("sessions opened by a social sign-in", () => {
  it("are listed with the exchange's user agent and IP, current, and amr fed", async () => {
    const ua = "ProbeBrowser/1.0";
    const ip = "203.0.113.77";
    const response = await callAndSettle("POST", "/v1/oauth/google/token", {
      json: { id_token: await googleToken(oidcPerson()), nonce: "n-probe" },
      headers: { "User-Agent": ua },
      ip,
    });
    expect(response.status).toBe(201);
    const tokens = await readJson<TokenPair>(response);
    const list = await readJson<{ sessions: Json[] }>(
      await call("GET", "/v1/sessions", { token: tokens.access_token }),
    );
    expect(list.sessions).toHaveLength(1);
    expect(list.sessions[0]).toMatchObject({
      id: claimsOf(tokens.access_token).sid,
      user_agent: ua,
      ip,
      current: true,
    });
    expect(claimsOf(tokens.access_token).amr).toEqual(["fed"]);
  });

  it("rotate on refresh; a replayed, already-superseded refresh token revokes the session", async () => {
    const { tokens, userId } = await socialOnly();
    const second = await readJson<TokenPair>(await refresh(tokens.refresh_token));
    const third = await readJson<TokenPair>(await refresh(second.refresh_token));
    expect(third.refresh_token).not.toBe(second.refresh_token);
    await expectProblem(await refresh(tokens.refresh_token), 401, "invalid_refresh_token");
    await expectProblem(await refresh(third.refresh_token), 401, "invalid_refresh_token");
    expect(await liveSessionCount(userId)).toBe(0);
    expect(await introspect(third.access_token)).toEqual({ active: false });
    await waitForEvents(userId, "refresh_reuse_detected");
  });

  it("logout ends it: verify and RPC agree, refresh refused", async () => {
    const { tokens } = await socialOnly();
    expect(await introspect(tokens.access_token)).toMatchObject({ active: true, amr: ["fed"] });
    expect((await rpcVerify(tokens.access_token)).valid).toBe(true);
    const out = await call("POST", "/v1/logout", {
      token: tokens.access_token,
      json: { refresh_token: tokens.refresh_token },
    });
    expect(out.status).toBe(204);
    expect(await introspect(tokens.access_token)).toEqual({ active: false });
    expect((await rpcVerify(tokens.access_token)).valid).toBe(false);
    await expectProblem(await refresh(tokens.refresh_token), 401, "invalid_refresh_token");
  });

  it("log out everywhere ends the redirect flow's and the exchange's sessions alike", async () => {
    const { person, tokens } = await socialOnly();
    const { code, verifier } = await signInCode(fake, "google", person);
    const other = await readJson<TokenPair>(await exchangeCode(code ?? "", verifier));
    expect(claimsOf(other.access_token).sub).toBe(claimsOf(tokens.access_token).sub);
    expect((await call("DELETE", "/v1/sessions", { token: other.access_token })).status).toBe(204);
    for (const pair of [tokens, other]) {
      expect(await introspect(pair.access_token)).toEqual({ active: false });
      expect((await rpcVerify(pair.access_token)).valid).toBe(false);
      expect((await refresh(pair.refresh_token)).status).toBe(401);
    }
  });
});

describe("accounts disabled or deleted around a social sign-in", () => {
  it("disabled between the callback and the code exchange: invalid_grant, no session; enabled again, signs in", async () => {
    const { person, userId } = await socialOnly();
    const admin = await issueAdminKey();
    const { code, verifier } = await signInCode(fake, "google", person);
    expect(code).toBeTruthy();
    expect((await adminCall(admin.apiKey, "POST", `/v1/admin/users/${userId}/disable`)).status).toBe(200);
    const refused = await exchangeCode(code ?? "", verifier);
    expect(refused.status).toBe(400);
    const body = await readJson(refused);
    expect(body).toMatchObject({ error: "invalid_grant" });
    expect(JSON.stringify(body)).not.toMatch(/at |stack/i);
    expect(await liveSessionCount(userId)).toBe(0);
    expect((await adminCall(admin.apiKey, "POST", `/v1/admin/users/${userId}/enable`)).status).toBe(204);
    expect((await googleSignIn(person)).status).toBe(200);
  });

  it("a disabled account's redirect flow hands the SPA an error, never a code", async () => {
    const { person, userId } = await socialOnly();
    const admin = await issueAdminKey();
    await adminCall(admin.apiKey, "POST", `/v1/admin/users/${userId}/disable`);
    const flow = await startFlow("google");
    const response = await callback("google", await fake.approve(flow.location, person), flow.cookie);
    expect(response.status).toBe(302);
    expect(redirectParameter(response, "code")).toBeNull();
    expect(redirectParameter(response, "error")).toBe("invalid_credentials");
    await expectProblem(await googleSignIn(person), 401, "invalid_credentials");
  });

  it("deleted by the admin between the callback and the exchange: invalid_grant, nothing left; the subject signs up anew", async () => {
    const { person, userId } = await socialOnly();
    const admin = await issueAdminKey();
    const { code, verifier } = await signInCode(fake, "google", person);
    expect((await adminCall(admin.apiKey, "DELETE", `/v1/admin/users/${userId}`)).status).toBe(204);
    expect((await exchangeCode(code ?? "", verifier)).status).toBe(400);
    expect(await countWhere("select count(*) as n from oauth_sign_in_codes where user_id = ?", userId)).toBe(0);
    expect(await countWhere("select count(*) as n from sessions where user_id = ?", userId)).toBe(0);
    expect(await identitiesOf(userId)).toEqual([]);
    const again = await googleSignIn(person);
    expect(again.status).toBe(201);
    const newId = claimsOf((await readJson<TokenPair>(again)).access_token).sub;
    expect(newId).not.toBe(userId);
    expect((await identityBySubject("google", person.sub))?.user_id).toBe(newId);
  });

  it("a social-only user can delete their own account (DELETE /v1/me) soon after signing in", async () => {
    const { tokens, userId, person } = await socialOnly();
    const response = await call("DELETE", "/v1/me", { token: tokens.access_token, json: {} });
    expect(response.status).toBe(204);
    expect(await userByEmail(person.email)).toBeNull();
    expect(await identitiesOf(userId)).toEqual([]);
  });

  it("a social-only user's DELETE /v1/me with some password answers a clear error and deletes nothing", async () => {
    const { tokens, userId } = await socialOnly();
    const response = await call("DELETE", "/v1/me", { token: tokens.access_token, json: { password: PASSWORD } });
    // No password to check: the stable invalid_credentials of a wrong one, and the account is intact.
    await expectProblem(response, 401, "invalid_credentials");
    expect(await identitiesOf(userId)).toHaveLength(1);
  });
});

describe("the security event log around social sign-in", () => {
  it("a first social sign-in records identity_linked and sign_in_succeeded with the provider, and no secret", async () => {
    const person = oidcPerson();
    const idToken = await googleToken(person);
    const response = await callAndSettle("POST", "/v1/oauth/google/token", {
      json: { id_token: idToken, nonce: "n-probe" },
    });
    const tokens = await readJson<TokenPair>(response);
    const userId = claimsOf(tokens.access_token).sub;
    const [linked] = await eventsOfType(userId, "identity_linked");
    expect(linked?.detail).toMatchObject({ provider: "google", reason: "new_account" });
    const [signedIn] = await eventsOfType(userId, "sign_in_succeeded");
    expect(signedIn?.detail).toMatchObject({ provider: "google" });
    await expectNoSecretsStored([idToken, tokens.access_token, tokens.refresh_token, person.email, "n-probe"]);
  });

  it("a social sign-in's success event names the session it opened and its amr, as every other sign-in's does", async () => {
    const { tokens, userId } = await socialOnly();
    const [signedIn] = await eventsOfType(userId, "sign_in_succeeded");
    expect(signedIn?.detail).toMatchObject({ session_id: claimsOf(tokens.access_token).sid, amr: "fed" });
  });

  it("the redirect flow's code, verifier and the provider's token are never stored in an event", async () => {
    const person = oidcPerson();
    const { code, verifier, flow } = await signInCode(fake, "google", person);
    const tokens = await readJson<TokenPair>(
      await callAndSettle("POST", "/v1/oauth/token", {
        form: { grant_type: "authorization_code", code: code ?? "", code_verifier: verifier },
      }),
    );
    const userId = claimsOf(tokens.access_token).sub;
    await waitForEvents(userId, "sign_in_succeeded");
    const state = new URL(flow.location).searchParams.get("state") ?? "";
    await expectNoSecretsStored([
      code ?? "",
      verifier,
      state,
      flow.cookie.split("=")[1] ?? "",
      tokens.refresh_token,
      person.email,
    ]);
  });

  it("an explicit link and an unlink each record an event with the provider, no secret", async () => {
    const account = await signUp();
    await markVerified(account.userId);
    const person = oidcPerson({ email: uniqueEmail("linked") });
    const idToken = await googleToken(person);
    const linked = await callAndSettle("POST", "/v1/me/identities/google", {
      token: account.tokens.access_token,
      json: { id_token: idToken, nonce: "n-probe", password: PASSWORD },
    });
    expect(linked.status).toBe(201);
    const unlinked = await callAndSettle("DELETE", "/v1/me/identities/google", {
      token: account.tokens.access_token,
      json: { password: PASSWORD },
    });
    expect(unlinked.status).toBe(204);
    const [link] = await eventsOfType(account.userId, "identity_linked");
    expect(link?.detail).toMatchObject({ provider: "google", reason: "explicit" });
    const [unlink] = await eventsOfType(account.userId, "identity_unlinked");
    expect(unlink?.detail).toMatchObject({ provider: "google" });
    await expectNoSecretsStored([idToken, PASSWORD, person.email, account.email]);
  });

  it("a pre-account claim records identity_linked unproven_account_claimed, without the address", async () => {
    const squatter = await signUp();
    const person = oidcPerson({ email: squatter.email });
    expect((await googleSignIn(person)).status).toBe(200);
    const [claimed] = await eventsOfType(squatter.userId, "identity_linked");
    expect(claimed?.detail).toMatchObject({ provider: "google", reason: "unproven_account_claimed" });
    await expectNoSecretsStored([squatter.email]);
  });
});

describe("the admin API and a social-only user", () => {
  it("lists and reads it (no password, the identity without secrets), disables and re-enables it", async () => {
    const { person, tokens, userId } = await socialOnly();
    const admin = await issueAdminKey();
    const listed = await readJson<{ users: Json[] }>(
      await adminCall(admin.apiKey, "GET", `/v1/admin/users?email=${encodeURIComponent(person.email)}`),
    );
    expect(listed.users).toHaveLength(1);
    expect(listed.users[0]).toMatchObject({ id: userId, has_password: false, email_verified: true, disabled: false });
    const detail = await readJson<{ identities: Json[]; sessions: Json[] }>(
      await adminCall(admin.apiKey, "GET", `/v1/admin/users/${userId}`),
    );
    expect(detail.identities).toMatchObject([{ provider: "google", subject: person.sub }]);
    expect(detail.sessions).toMatchObject([{ amr: ["fed"] }]);
    const text = JSON.stringify(detail);
    expect(text).not.toContain(tokens.refresh_token);
    expect(text).not.toContain(tokens.access_token);

    expect((await adminCall(admin.apiKey, "POST", `/v1/admin/users/${userId}/disable`)).status).toBe(200);
    expect(await introspect(tokens.access_token)).toEqual({ active: false });
    expect((await rpcVerify(tokens.access_token)).valid).toBe(false);
    expect((await me(tokens.access_token)).status).toBe(401);
    await expectProblem(await googleSignIn(person), 401, "invalid_credentials");
    expect((await adminCall(admin.apiKey, "POST", `/v1/admin/users/${userId}/enable`)).status).toBe(204);
    expect((await googleSignIn(person)).status).toBe(200);
  });

  it("exports it with its identity and no secret; deleted and imported back, the same subject signs in to the same id", async () => {
    const since = Math.floor(Date.now() / 1000);
    const { person, tokens, userId } = await socialOnly();
    const admin = await issueAdminKey();
    const { lines, text } = await exportFrom(admin.apiKey, cursorBefore(since), 1000);
    const line = lines.find((entry) => entry.id === userId);
    expect(line).toBeDefined();
    expect(line).not.toHaveProperty("password_hash");
    expect(line?.identities).toEqual([{ provider: "google", subject: person.sub, email: person.email }]);
    expect(text).not.toContain(tokens.refresh_token);

    expect((await adminCall(admin.apiKey, "DELETE", `/v1/admin/users/${userId}`)).status).toBe(204);
    const { factors: _factors, updated_at: _updated, ...row } = line as Json;
    const imported = await adminCall(admin.apiKey, "POST", "/v1/admin/users/import", { json: { users: [row] } });
    expect(imported.status).toBe(200);
    expect(await readJson(imported)).toMatchObject({ created: 1, results: [{ status: "created", user_id: userId }] });

    const back = await googleSignIn(person);
    expect(back.status).toBe(200);
    const backTokens = await readJson<TokenPair>(back);
    expect(claimsOf(backTokens.access_token).sub).toBe(userId);
    // What the provider said about the address is part of the identity: the round trip keeps it.
    const listed = await readJson<{ identities: Json[] }>(
      await call("GET", "/v1/me/identities", { token: backTokens.access_token }),
    );
    expect(listed.identities).toMatchObject([{ provider: "google", subject: person.sub, email_verified: true }]);
  });

  it("an imported social-only user (identity, no password) signs in socially and cannot log in by password", async () => {
    const admin = await issueAdminKey();
    const person = oidcPerson();
    const imported = await adminCall(admin.apiKey, "POST", "/v1/admin/users/import", {
      json: {
        users: [
          {
            email: person.email,
            email_verified: true,
            identities: [{ provider: "google", subject: person.sub, email: person.email }],
          },
        ],
      },
    });
    const answer = await readJson<{ results: { user_id: string }[] }>(imported);
    const userId = answer.results[0]?.user_id ?? "";
    const signed = await googleSignIn(person);
    expect(signed.status).toBe(200);
    expect(claimsOf((await readJson<TokenPair>(signed)).access_token).sub).toBe(userId);
    await expectProblem(
      await call("POST", "/v1/login", { json: { email: person.email, password: PASSWORD } }),
      401,
      "invalid_credentials",
    );
    const detail = await readJson<{ user: Json }>(await adminCall(admin.apiKey, "GET", `/v1/admin/users/${userId}`));
    expect(detail.user).toMatchObject({ has_password: false });
  });
});
