// Account management of linked identities (issue 12): list, link after re-authentication, unlink
// but never the last way to sign in; an identity linked to another account is never moved; parallel
// unlinks cannot leave an account with no way in.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { PASSWORD, signUp, verifiedAccount } from "./support/accounts";
import { advanceClock, freezeClock } from "./support/clock";
import { type FakeIdp, installFakeIdp } from "./support/fake-idp";
import { call, expectProblem, readJson } from "./support/http";
import { credentialExchange, identitiesOf, identityBySubject, oidcPerson } from "./support/oauth";
import { gitHubPerson, gitHubToken } from "./support/oauth-github-fake";

let fake: FakeIdp;
beforeEach(() => {
  fake = installFakeIdp();
});
afterEach(() => {
  vi.restoreAllMocks();
});

const newGitHub = () => gitHubPerson(`gh-${crypto.randomUUID().slice(0, 8)}@example.com`);

/** A password-less account made by a Google sign-in: its tokens and user id. */
async function socialAccount() {
  const person = oidcPerson({ nonce: "n-1" });
  const response = await credentialExchange("google", { id_token: await fake.idToken("google", person), nonce: "n-1" });
  const tokens = await readJson<{ access_token: string }>(response);
  const identity = await identityBySubject("google", person.sub);
  return { person, token: tokens.access_token, userId: identity?.user_id ?? "" };
}

const link = (token: string, provider: string, json: Record<string, unknown>) =>
  call("POST", `/v1/me/identities/${provider}`, { token, json });
const unlink = (token: string, provider: string, json?: Record<string, unknown>) =>
  call("DELETE", `/v1/me/identities/${provider}`, { token, ...(json ? { json } : {}) });

describe("GET /v1/me/identities", () => {
  it("lists the caller's identities, never another account's", async () => {
    const { token, person } = await socialAccount();
    await socialAccount();
    const response = await call("GET", "/v1/me/identities", { token });
    expect(response.status).toBe(200);
    const { identities } = await readJson<{ identities: Record<string, unknown>[] }>(response);
    expect(identities).toEqual([
      expect.objectContaining({ provider: "google", subject: person.sub, email_verified: true }),
    ]);
  });

  it("is part of GET /v1/me too, and empty for an account with none", async () => {
    const { token, person } = await socialAccount();
    const me = await readJson<{ identities: Record<string, unknown>[] }>(await call("GET", "/v1/me", { token }));
    expect(me.identities).toEqual([expect.objectContaining({ provider: "google", subject: person.sub })]);
    const plain = await signUp();
    const mine = await readJson<{ identities: unknown[] }>(
      await call("GET", "/v1/me", { token: plain.tokens.access_token }),
    );
    expect(mine.identities).toEqual([]);
  });
});

describe("POST /v1/me/identities/{provider}", () => {
  it("links after the password is re-checked; a wrong or missing password links nothing", async () => {
    const account = await verifiedAccount();
    const person = newGitHub();
    const accessToken = gitHubToken(fake.github, person);
    const token = account.tokens.access_token;
    await expectProblem(await link(token, "github", { access_token: accessToken }), 401, "invalid_credentials");
    await expectProblem(
      await link(token, "github", { access_token: accessToken, password: "wrong password!" }),
      401,
      "invalid_credentials",
    );
    expect(await identitiesOf(account.userId)).toEqual([]);
    const linked = await link(token, "github", { access_token: accessToken, password: PASSWORD });
    expect(linked.status).toBe(201);
    expect(await identitiesOf(account.userId)).toMatchObject([{ provider: "github", subject: String(person.id) }]);
    // The same identity again changes nothing: 200, still one row.
    const again = await link(token, "github", { access_token: accessToken, password: PASSWORD });
    expect(again.status).toBe(200);
    expect(await readJson(again)).toMatchObject({ provider: "github", subject: String(person.id) });
    expect(await identitiesOf(account.userId)).toHaveLength(1);
  });

  it("links nothing to an account whose address is unverified, before asking the provider", async () => {
    const account = await signUp();
    const accessToken = gitHubToken(fake.github, newGitHub());
    const requests = fake.requests.length;
    const response = await link(account.tokens.access_token, "github", {
      access_token: accessToken,
      password: PASSWORD,
    });
    await expectProblem(response, 403, "email_not_verified");
    expect(fake.requests.length).toBe(requests);
    expect(await identitiesOf(account.userId)).toEqual([]);
  });

  it("refuses an identity linked to another account, which keeps it", async () => {
    const owner = await socialAccount();
    const other = await verifiedAccount();
    const token = await fake.idToken("google", { ...owner.person, nonce: "n-1" });
    const response = await link(other.tokens.access_token, "google", {
      id_token: token,
      nonce: "n-1",
      password: PASSWORD,
    });
    await expectProblem(response, 409, "oauth_identity_taken");
    expect((await identityBySubject("google", owner.person.sub))?.user_id).toBe(owner.userId);
    expect(await identitiesOf(other.userId)).toEqual([]);
  });

  it("lets a password-less account link only soon after signing in", async () => {
    freezeClock();
    const account = await socialAccount();
    advanceClock(301);
    const accessToken = gitHubToken(fake.github, newGitHub());
    await expectProblem(await link(account.token, "github", { access_token: accessToken }), 401, "invalid_credentials");
    expect(await identitiesOf(account.userId)).toHaveLength(1);
  });

  it("refuses a forged credential as the exchange does", async () => {
    const account = await verifiedAccount();
    const forged = await fake.idToken("google", { ...oidcPerson(), nonce: "n-1", aud: "someone-else" });
    const response = await link(account.tokens.access_token, "google", {
      id_token: forged,
      nonce: "n-1",
      password: PASSWORD,
    });
    await expectProblem(response, 401, "oauth_credential_invalid");
  });
});

describe("DELETE /v1/me/identities/{provider}", () => {
  it("unlinks from an account that keeps its password", async () => {
    const account = await verifiedAccount();
    const token = account.tokens.access_token;
    await link(token, "github", { access_token: gitHubToken(fake.github, newGitHub()), password: PASSWORD });
    expect((await unlink(token, "github", { password: PASSWORD })).status).toBe(204);
    expect(await identitiesOf(account.userId)).toEqual([]);
    await expectProblem(await unlink(token, "github", { password: PASSWORD }), 404, "oauth_identity_not_found");
  });

  it("never removes the last way to sign in", async () => {
    const account = await socialAccount();
    await expectProblem(await unlink(account.token, "google"), 409, "oauth_last_sign_in_method");
    expect(await identitiesOf(account.userId)).toHaveLength(1);
  });

  it("lets only one of two parallel unlinks through on a password-less account with two identities", async () => {
    const account = await socialAccount();
    expect((await link(account.token, "github", { access_token: gitHubToken(fake.github, newGitHub()) })).status).toBe(
      201,
    );
    const [google, github] = await Promise.all([unlink(account.token, "google"), unlink(account.token, "github")]);
    expect([google.status, github.status].sort()).toEqual([204, 409]);
    expect(await identitiesOf(account.userId)).toHaveLength(1);
  });
});
