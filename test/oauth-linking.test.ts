// The linking rules of issue 12, each as an attack: an implicit link only when both sides are
// verified; a never-verified local account (perhaps a squatter's, Sudhodanan & Paverd 2022) loses
// its password, factors and sessions before the provider's proven owner gets it; an identity is
// keyed on the provider's subject, so a changed provider email never moves it; parallel first
// sign-ins make one account; an account with a second factor still answers the MFA challenge.
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { claimsOf, introspect, liveSessionCount, me, PASSWORD, refresh, signUp, uniqueEmail } from "./support/accounts";
import { createKey, exchangeKey } from "./support/api-keys";
import { type FakeIdp, installFakeIdp } from "./support/fake-idp";
import { call, expectProblem, readJson } from "./support/http";
import {
  countWhere,
  credentialExchange,
  exchangeCode,
  identitiesOf,
  oidcPerson,
  signInCode,
  userByEmail,
} from "./support/oauth";
import { gitHubPerson, gitHubToken } from "./support/oauth-github-fake";
import { signUpWithTotp, totpRow } from "./support/totp";

let fake: FakeIdp;
beforeEach(() => {
  fake = installFakeIdp();
});
afterEach(() => {
  vi.restoreAllMocks();
});

const markVerified = (userId: string) =>
  env.DB.prepare("update users set email_verified = 1 where id = ?").bind(userId).run();

async function googleSignIn(claims: Record<string, unknown>) {
  const token = await fake.idToken("google", { nonce: "n-1", ...claims });
  return credentialExchange("google", { id_token: token, nonce: "n-1" });
}

describe("implicit linking", () => {
  it("links a verified provider email to a verified local account, which keeps its password", async () => {
    const local = await signUp();
    await markVerified(local.userId);
    const person = oidcPerson({ email: local.email });
    const response = await googleSignIn(person);
    expect(response.status).toBe(200);
    const { access_token } = await readJson<{ access_token: string }>(response);
    expect(claimsOf(access_token).sub).toBe(local.userId);
    expect(await identitiesOf(local.userId)).toMatchObject([{ provider: "google", subject: person.sub }]);
    expect((await call("POST", "/v1/login", { json: { email: local.email, password: PASSWORD } })).status).toBe(200);
  });

  it("refuses when the provider does not assert the email verified, leaving the account alone", async () => {
    const local = await signUp();
    await markVerified(local.userId);
    await expectProblem(
      await googleSignIn(oidcPerson({ email: local.email, email_verified: false })),
      403,
      "oauth_email_unverified",
    );
    expect(await identitiesOf(local.userId)).toEqual([]);
    expect(await liveSessionCount(local.userId)).toBe(1);
  });
});

describe("pre-account takeover", () => {
  it("discards a squatter's password, sessions and username before the proven owner gets the account", async () => {
    const squatter = await signUp({ username: `squat${crypto.randomUUID().slice(0, 6)}` });
    expect((await userByEmail(squatter.email))?.email_verified).toBe(0);
    const person = oidcPerson({ email: squatter.email });
    const response = await googleSignIn(person);
    expect(response.status).toBe(200);
    const { access_token } = await readJson<{ access_token: string }>(response);
    expect(claimsOf(access_token).sub).toBe(squatter.userId);
    expect(await userByEmail(squatter.email)).toMatchObject({ email_verified: 1, password_hash: null, username: null });
    // The squatter is out: their session, refresh token and password no longer work.
    expect((await me(squatter.tokens.access_token)).status).toBe(401);
    expect((await refresh(squatter.tokens.refresh_token)).status).toBe(401);
    await expectProblem(
      await call("POST", "/v1/login", { json: { email: squatter.email, password: PASSWORD } }),
      401,
      "invalid_credentials",
    );
    expect(await liveSessionCount(squatter.userId)).toBe(1);
    expect(await identitiesOf(squatter.userId)).toHaveLength(1);
  });

  it("revokes a squatter's API key and denies the token exchanged for it", async () => {
    const squatter = await signUp();
    const key = await createKey(squatter);
    const exchanged = await exchangeKey(key.api_key);
    expect(await introspect(exchanged)).toMatchObject({ active: true });
    expect((await googleSignIn(oidcPerson({ email: squatter.email }))).status).toBe(200);
    expect(await introspect(exchanged)).toEqual({ active: false });
    const again = await call("POST", "/v1/oauth/token", {
      form: { grant_type: "client_credentials", client_secret: key.api_key },
    });
    expect(again.status).toBe(401);
  });

  it("removes any identity already on the never-verified account, which then signs in elsewhere", async () => {
    // Explicit linking is refused while unverified (test/oauth-identities.test.ts); an identity can
    // still be there, e.g. imported with the account, and it is the squatter's as much as the password.
    const squatter = await signUp();
    const squatterGitHub = gitHubPerson(uniqueEmail("squatter-gh"));
    await env.DB.prepare(
      "insert into identities (id, user_id, provider, subject, email, email_verified, created_at, last_used_at) values (?, ?, 'github', ?, null, 0, 0, null)",
    )
      .bind(crypto.randomUUID(), squatter.userId, String(squatterGitHub.id))
      .run();
    const owner = await readJson<{ access_token: string }>(await googleSignIn(oidcPerson({ email: squatter.email })));
    expect(claimsOf(owner.access_token).sub).toBe(squatter.userId);
    expect(await identitiesOf(squatter.userId)).toMatchObject([{ provider: "google" }]);
    const back = await credentialExchange("github", { access_token: gitHubToken(fake.github, squatterGitHub) });
    expect(back.status).toBe(201);
    expect(claimsOf((await readJson<{ access_token: string }>(back)).access_token).sub).not.toBe(squatter.userId);
  });

  it("discards a squatter's second factor too, so it cannot hold the owner's sign-in hostage", async () => {
    const squatter = await signUpWithTotp();
    expect(await totpRow(squatter.userId)).not.toBeNull();
    const person = oidcPerson({ email: squatter.email });
    const response = await googleSignIn(person);
    expect(response.status).toBe(200);
    expect(await readJson(response)).toHaveProperty("access_token");
    expect(await totpRow(squatter.userId)).toBeNull();
    expect(await countWhere("select count(*) as n from recovery_codes where user_id = ?", squatter.userId)).toBe(0);
  });
});

describe("identities", () => {
  it("are keyed on the subject: a provider email changed to another account's never moves the identity", async () => {
    const person = oidcPerson();
    expect((await googleSignIn(person)).status).toBe(201);
    const first = await userByEmail(person.email);
    const other = await signUp();
    await markVerified(other.userId);
    const response = await googleSignIn({ ...person, email: other.email });
    const { access_token } = await readJson<{ access_token: string }>(response);
    expect(claimsOf(access_token).sub).toBe(first?.id);
    expect(await identitiesOf(other.userId)).toEqual([]);
    // The identity records what the provider said last.
    expect(await identitiesOf(first?.id ?? "")).toMatchObject([{ email: other.email }]);
  });

  it("make one account of parallel first sign-ins", async () => {
    const person = oidcPerson();
    const responses = await Promise.all(Array.from({ length: 4 }, () => googleSignIn(person)));
    const statuses = responses.map((response) => response.status);
    expect(statuses.filter((status) => status === 201)).toHaveLength(1);
    expect(statuses.every((status) => status === 201 || status === 200 || status === 409)).toBe(true);
    expect(await countWhere("select count(*) as n from users where email = ?", person.email)).toBe(1);
    expect(await countWhere("select count(*) as n from identities where subject = ?", person.sub)).toBe(1);
  });

  it("sign in to a disabled account is refused", async () => {
    const person = oidcPerson();
    expect((await googleSignIn(person)).status).toBe(201);
    await env.DB.prepare("update users set disabled_at = 1 where email = ?").bind(person.email).run();
    await expectProblem(await googleSignIn(person), 401, "invalid_credentials");
  });
});

describe("a second factor", () => {
  it("is asked for after a social sign-in, by both flows; no session is opened before it", async () => {
    const account = await signUpWithTotp({ email: uniqueEmail("mfa") });
    await markVerified(account.userId);
    const person = oidcPerson({ email: account.email });
    const sessions = await liveSessionCount(account.userId);
    const answer = await readJson(await googleSignIn(person));
    expect(answer).toMatchObject({ mfa_required: true, methods: expect.arrayContaining(["totp"]) });
    expect(answer).not.toHaveProperty("access_token");
    const { code, verifier } = await signInCode(fake, "google", person);
    const exchanged = await readJson(await exchangeCode(code ?? "", verifier));
    expect(exchanged).toMatchObject({ mfa_required: true });
    expect(await liveSessionCount(account.userId)).toBe(sessions);
  });
});
