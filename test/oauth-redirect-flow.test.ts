// The redirect flow for SPAs (issue 12, flow 1) end to end against the fake identity provider: the
// authorize redirect and its browser binding, the callback's one-time code, and the code exchange
// with the SPA's PKCE verifier, for an OIDC provider, GitHub, Apple's form_post and Entra.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { claimsOf, me } from "./support/accounts";
import { type FakeIdp, ISSUERS, installFakeIdp, MS_TENANT } from "./support/fake-idp";
import { call, readJson } from "./support/http";
import {
  callback,
  callManual,
  countWhere,
  exchangeCode,
  identityBySubject,
  oidcPerson,
  redirectParameter,
  SPA_REDIRECT,
  signInCode,
  startFlow,
  userByEmail,
} from "./support/oauth";
import { approveGitHub, gitHubPerson } from "./support/oauth-github-fake";

let fake: FakeIdp;
beforeEach(() => {
  fake = installFakeIdp();
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe("GET /v1/oauth/{provider}/authorize", () => {
  it("redirects to the provider with state, nonce, our own S256 challenge, and a __Host- cookie", async () => {
    const flow = await startFlow("google");
    expect(flow.response.status).toBe(302);
    const url = new URL(flow.location);
    expect(url.origin + url.pathname).toBe(`${ISSUERS.google}/authorize`);
    expect(url.searchParams.get("client_id")).toBe("google-web.apps.test");
    expect(url.searchParams.get("redirect_uri")).toBe("https://auth.test/v1/oauth/google/callback");
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("state")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get("nonce")).toBeTruthy();
    const setCookie = flow.response.headers.get("Set-Cookie") ?? "";
    expect(setCookie).toMatch(
      /^__Host-oauth_flow=[A-Za-z0-9_-]{43}; Max-Age=600; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    );
    // One flow row; the state and the cookie only as hashes.
    const state = url.searchParams.get("state") ?? "";
    expect(await countWhere("select count(*) as n from oauth_flows where state_hash = ?", state)).toBe(0);
    const cookieValue = flow.cookie.split("=")[1] ?? "";
    expect(await countWhere("select count(*) as n from oauth_flows where browser_hash = ?", cookieValue)).toBe(0);
  });

  it("answers 404 for a provider that is not configured, and stores no flow", async () => {
    const before = await countWhere("select count(*) as n from oauth_flows");
    const response = await call(
      "GET",
      "/v1/oauth/facebook/authorize?redirect_to=https://app.test/auth/callback&code_challenge=x",
    );
    expect(response.status).toBe(404);
    expect(await readJson(response)).toMatchObject({ code: "oauth_provider_not_found" });
    expect(await countWhere("select count(*) as n from oauth_flows")).toBe(before);
  });
});

describe("the whole redirect flow", () => {
  it("signs a new person in: a verified, password-less account with the identity, and tokens for the code", async () => {
    const person = oidcPerson();
    const { response, code, verifier } = await signInCode(fake, "google", person);
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")?.startsWith(`${SPA_REDIRECT}?code=`)).toBe(true);
    expect(response.headers.get("Set-Cookie")).toMatch(/^__Host-oauth_flow=; Max-Age=0/);
    const exchanged = await exchangeCode(code ?? "", verifier);
    expect(exchanged.status).toBe(200);
    const tokens = await readJson<{ access_token: string; refresh_token: string }>(exchanged);
    expect(claimsOf(tokens.access_token)).toMatchObject({ email: person.email, email_verified: true, amr: ["fed"] });
    expect((await me(tokens.access_token)).status).toBe(200);
    const user = await userByEmail(person.email);
    expect(user).toMatchObject({ email_verified: 1, password_hash: null });
    expect(await identityBySubject("google", person.sub)).toMatchObject({ user_id: user?.id, email_verified: 1 });
    // The token endpoint got our verifier, the callback URL and our client's secret.
    const tokenRequest = fake.requests.find((request) => request.url === `${ISSUERS.google}/token`);
    const form = new URLSearchParams(tokenRequest?.body);
    expect(form.get("code_verifier")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(form.get("redirect_uri")).toBe("https://auth.test/v1/oauth/google/callback");
  });

  it("signs the same person in to the same account next time", async () => {
    const person = oidcPerson();
    const first = await signInCode(fake, "google", person);
    await exchangeCode(first.code ?? "", first.verifier);
    const second = await signInCode(fake, "google", person);
    const tokens = await readJson<{ access_token: string }>(await exchangeCode(second.code ?? "", second.verifier));
    expect(claimsOf(tokens.access_token).sub).toBe((await userByEmail(person.email))?.id);
    expect(await countWhere("select count(*) as n from identities where subject = ?", person.sub)).toBe(1);
  });

  it("works with the generic OIDC provider, checking its RFC 9207 iss", async () => {
    const person = oidcPerson();
    const { response, code } = await signInCode(fake, "acme", person);
    expect(code).toBeTruthy();
    expect(response.status).toBe(302);
    expect(await identityBySubject("acme", person.sub)).not.toBeNull();
  });

  it("works with a generic provider on this machine over plain http (a developer's local IdP)", async () => {
    const person = oidcPerson();
    const { code, verifier } = await signInCode(fake, "local", person);
    const tokens = await exchangeCode(code ?? "", verifier);
    expect(tokens.status).toBe(200);
    expect(await identityBySubject("local", person.sub)).not.toBeNull();
    const tokenCall = fake.requests.find((request) => request.url === "http://idp.localhost/token");
    expect(new URLSearchParams(tokenCall?.body).get("client_secret")).toBe("local-test-secret");
  });

  it("keys Microsoft accounts on tid:oid, never on the email", async () => {
    const oid = crypto.randomUUID();
    const person = oidcPerson({ tid: MS_TENANT, oid, xms_edov: true });
    const { code } = await signInCode(fake, "microsoft", person);
    expect(code).toBeTruthy();
    expect(await identityBySubject("microsoft", `${MS_TENANT}:${oid}`)).not.toBeNull();
    expect(await identityBySubject("microsoft", person.sub)).toBeNull();
  });

  it("refuses a Microsoft email the tenant's domain owner did not verify (nOAuth)", async () => {
    const person = oidcPerson({ tid: MS_TENANT, oid: crypto.randomUUID() });
    const { response } = await signInCode(fake, "microsoft", person);
    expect(redirectParameter(response, "error")).toBe("oauth_email_unverified");
    expect(await userByEmail(person.email)).toBeNull();
  });

  it("takes Apple's form_post callback, with a client secret JWT signed by the configured key", async () => {
    const flow = await startFlow("apple");
    expect(flow.response.headers.get("Set-Cookie")).toMatch(/SameSite=None/);
    expect(new URL(flow.location).searchParams.get("response_mode")).toBe("form_post");
    const person = oidcPerson({ email_verified: "true" });
    const answer = await fake.approve(flow.location, person);
    const response = await callManual("POST", "/v1/oauth/apple/callback", {
      form: Object.fromEntries(answer),
      headers: { Cookie: flow.cookie, Origin: "https://appleid.apple.com" },
    });
    expect(response.status).toBe(302);
    expect(redirectParameter(response, "code")).toBeTruthy();
    expect(await identityBySubject("apple", person.sub)).not.toBeNull();
  });

  it("signs in with GitHub's primary verified address, keyed on the numeric id", async () => {
    const flow = await startFlow("github");
    const person = gitHubPerson(`gh-${crypto.randomUUID().slice(0, 8)}@example.com`);
    const response = await callback("github", approveGitHub(fake.github, flow.location, person), flow.cookie);
    const code = redirectParameter(response, "code");
    expect(code).toBeTruthy();
    expect((await exchangeCode(code ?? "", flow.verifier)).status).toBe(200);
    expect(await identityBySubject("github", String(person.id))).toMatchObject({ email: person.emails[0]?.email });
  });

  it("refuses a GitHub account without a verified primary address, creating nothing", async () => {
    const flow = await startFlow("github");
    const email = `gh-${crypto.randomUUID().slice(0, 8)}@example.com`;
    const person = gitHubPerson(email, false);
    person.emails.push({ email: `other-${email}`, primary: false, verified: true });
    const response = await callback("github", approveGitHub(fake.github, flow.location, person), flow.cookie);
    expect(redirectParameter(response, "error")).toBe("oauth_email_unverified");
    expect(await userByEmail(email)).toBeNull();
    expect(await userByEmail(`other-${email}`)).toBeNull();
    expect(await identityBySubject("github", String(person.id))).toBeNull();
  });
});
