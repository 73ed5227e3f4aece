// Flow 2 (issue 12): provider credentials exchanged at POST /v1/oauth/{provider}/token, and the
// forgeries it must refuse (GHSA-c6x8-38vf-4p8r is what skipping the audience check cost another
// project): a foreign aud or azp, the wrong issuer, alg none, an HMAC, an unknown kid, an expired
// token, a nonce mismatch, email_verified "false", a GitHub token of another app. Nothing is
// created for a refused credential.
import { generateKeyPair, SignJWT } from "jose";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { claimsOf } from "./support/accounts";
import { type FakeIdp, ISSUERS, installFakeIdp } from "./support/fake-idp";
import { expectProblem, readJson } from "./support/http";
import { countWhere, credentialExchange, identityBySubject, oidcPerson, userByEmail } from "./support/oauth";
import { GITHUB_CLIENT_ID, gitHubPerson, gitHubToken } from "./support/oauth-github-fake";

let fake: FakeIdp;
beforeEach(() => {
  fake = installFakeIdp();
});
afterEach(() => {
  vi.restoreAllMocks();
});

const b64url = (text: string) => btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");

async function expectRefused(
  idToken: string,
  person: { email: string },
  nonce = "n-1",
  code = "oauth_credential_invalid",
) {
  const users = await countWhere("select count(*) as n from users");
  const status = code === "oauth_email_unverified" ? 403 : 401;
  await expectProblem(await credentialExchange("google", { id_token: idToken, nonce }), status, code as never);
  expect(await userByEmail(person.email)).toBeNull();
  expect(await countWhere("select count(*) as n from users")).toBe(users);
}

describe("an ID token with its nonce", () => {
  it("signs a new person in (201), the same person again (200), one account and one identity", async () => {
    const person = oidcPerson({ nonce: "n-1" });
    const token = await fake.idToken("google", person);
    const first = await credentialExchange("google", { id_token: token, nonce: "n-1" });
    expect(first.status).toBe(201);
    const tokens = await readJson<{ access_token: string; refresh_token: string }>(first);
    expect(claimsOf(tokens.access_token)).toMatchObject({ email: person.email, amr: ["fed"] });
    const again = await credentialExchange("google", { id_token: await fake.idToken("google", person), nonce: "n-1" });
    expect(again.status).toBe(200);
    expect(await countWhere("select count(*) as n from identities where subject = ?", person.sub)).toBe(1);
  });

  it("accepts a token for one of our other client ids (OAUTH_GOOGLE_AUDIENCES)", async () => {
    const person = oidcPerson({ nonce: "n-1", aud: "google-ios.apps.test", azp: "google-ios.apps.test" });
    const response = await credentialExchange("google", {
      id_token: await fake.idToken("google", person),
      nonce: "n-1",
    });
    expect(response.status).toBe(201);
  });

  it("refuses a token issued to another client: aud, azp, or several audiences without azp", async () => {
    for (const claims of [
      { aud: "someone-else.apps.test" },
      { azp: "someone-else.apps.test" },
      { aud: ["google-web.apps.test", "someone-else.apps.test"] },
    ]) {
      const person = oidcPerson({ nonce: "n-1", ...claims });
      await expectRefused(await fake.idToken("google", person), person);
    }
  });

  it("refuses a token from another issuer, even one we trust for another provider", async () => {
    const person = oidcPerson({ nonce: "n-1", iss: ISSUERS.acme });
    await expectRefused(await fake.idToken("google", person), person);
  });

  it("refuses alg none, an HMAC over the public key id, and an unknown kid", async () => {
    const person = oidcPerson({ nonce: "n-1", iss: ISSUERS.google, aud: "google-web.apps.test" });
    const now = Math.floor(Date.now() / 1000);
    const payload = b64url(JSON.stringify({ ...person, iat: now, exp: now + 600 }));
    await expectRefused(`${b64url(JSON.stringify({ alg: "none", typ: "JWT" }))}.${payload}.`, person);
    const hmac = await new SignJWT({ ...person })
      .setProtectedHeader({ alg: "HS256", kid: "fake-idp-1" })
      .setIssuedAt(now)
      .setExpirationTime(now + 600)
      .sign(new TextEncoder().encode("fake-idp-1"));
    await expectRefused(hmac, person);
    const stranger = await generateKeyPair("ES256");
    await expectRefused(await fake.idToken("google", person, { kid: "unknown-kid", key: stranger.privateKey }), person);
    // The right kid with someone else's key: the signature does not verify.
    await expectRefused(await fake.idToken("google", person, { key: stranger.privateKey }), person);
  });

  it("refuses an expired token", async () => {
    const now = Math.floor(Date.now() / 1000);
    const person = oidcPerson({ nonce: "n-1", iat: now - 7200, exp: now - 3600 });
    await expectRefused(await fake.idToken("google", person), person);
  });

  it("refuses a token issued in the future (iat beyond the 30 s tolerance); 20 s ahead is a clock", async () => {
    const now = Math.floor(Date.now() / 1000);
    const ahead = oidcPerson({ nonce: "n-1", iat: now + 3600, exp: now + 7200 });
    await expectRefused(await fake.idToken("google", ahead), ahead);
    const skewed = oidcPerson({ nonce: "n-1", iat: now + 20 });
    const response = await credentialExchange("google", {
      id_token: await fake.idToken("google", skewed),
      nonce: "n-1",
    });
    expect(response.status).toBe(201);
  });

  it("refuses a subject that is not a string, which would bind as another person's text", async () => {
    for (const sub of [4560845426, true, ["x"], { id: "x" }]) {
      const person = { ...oidcPerson({ nonce: "n-1" }), sub } as never as ReturnType<typeof oidcPerson>;
      await expectRefused(await fake.idToken("google", person), person);
    }
    expect(await identityBySubject("google", "1")).toBeNull();
  });

  it("refuses the provider's other JWTs (an access token, a logout token) presented as an ID token", async () => {
    for (const typ of ["at+jwt", "application/at+jwt", "logout+jwt", "secevent+jwt"]) {
      const person = oidcPerson({ nonce: "n-1" });
      await expectRefused(await fake.idToken("google", person, { typ }), person);
    }
    for (const typ of ["JWT", "jwt", "application/jwt"]) {
      const person = oidcPerson({ nonce: "n-1" });
      const response = await credentialExchange("google", {
        id_token: await fake.idToken("google", person, { typ }),
        nonce: "n-1",
      });
      expect(response.status).toBe(201);
    }
  });

  it("refuses a nonce that does not match, and a token without one", async () => {
    const person = oidcPerson({ nonce: "n-1" });
    await expectRefused(await fake.idToken("google", person), person, "n-2");
    const bare = oidcPerson();
    await expectRefused(await fake.idToken("google", bare), bare);
    await expectProblem(
      await credentialExchange("google", { id_token: await fake.idToken("google", bare) }),
      400,
      "invalid_request",
    );
  });

  it('refuses email_verified "false" (a string is not a boolean) and a missing one', async () => {
    for (const claims of [{ email_verified: "false" }, { email_verified: undefined }, { email_verified: 1 }]) {
      const person = oidcPerson({ nonce: "n-1", ...claims });
      await expectRefused(await fake.idToken("google", person), person, "n-1", "oauth_email_unverified");
      expect(await identityBySubject("google", person.sub)).toBeNull();
    }
  });

  it("refuses an ID token for GitHub and an unconfigured provider", async () => {
    const token = await fake.idToken("google", oidcPerson({ nonce: "n-1" }));
    await expectProblem(await credentialExchange("github", { id_token: token, nonce: "n-1" }), 400, "invalid_request");
    await expectProblem(
      await credentialExchange("facebook", { id_token: token, nonce: "n-1" }),
      404,
      "oauth_provider_not_found",
    );
  });
});

describe("a provider authorization code from the popup flow", () => {
  it("redeems a code bound to postmessage once; a replay is refused", async () => {
    const person = oidcPerson();
    const code = fake.code("google", person, "postmessage");
    const first = await credentialExchange("google", { code, redirect_uri: "postmessage" });
    expect(first.status).toBe(201);
    await expectProblem(
      await credentialExchange("google", { code, redirect_uri: "postmessage" }),
      401,
      "oauth_credential_invalid",
    );
  });

  it("refuses a redirect_uri off the allowlist before calling the provider", async () => {
    const code = fake.code("google", oidcPerson(), "https://evil.test/cb");
    await expectProblem(
      await credentialExchange("google", { code, redirect_uri: "https://evil.test/cb" }),
      400,
      "oauth_redirect_not_allowed",
    );
    expect(fake.requests.some((request) => request.url.endsWith("/token"))).toBe(false);
  });
});

describe("a GitHub access token", () => {
  it("signs in when GitHub says the token is our app's", async () => {
    const person = gitHubPerson(`gh-${crypto.randomUUID().slice(0, 8)}@example.com`);
    const response = await credentialExchange("github", { access_token: gitHubToken(fake.github, person) });
    expect(response.status).toBe(201);
    expect(await identityBySubject("github", String(person.id))).not.toBeNull();
  });

  it("refuses a token issued to another OAuth app, without reading the user", async () => {
    const person = gitHubPerson(`gh-${crypto.randomUUID().slice(0, 8)}@example.com`);
    const foreign = gitHubToken(fake.github, person, "someone-elses-app");
    await expectProblem(await credentialExchange("github", { access_token: foreign }), 401, "oauth_credential_invalid");
    expect(fake.requests.some((request) => request.url === "https://api.github.com/user")).toBe(false);
    expect(await identityBySubject("github", String(person.id))).toBeNull();
    expect(GITHUB_CLIENT_ID).not.toBe("someone-elses-app");
  });

  it("refuses an account whose primary address is unverified", async () => {
    const person = gitHubPerson(`gh-${crypto.randomUUID().slice(0, 8)}@example.com`, false);
    await expectProblem(
      await credentialExchange("github", { access_token: gitHubToken(fake.github, person) }),
      403,
      "oauth_email_unverified",
    );
  });

  it("is refused for ID-token providers other than Google, whose tokeninfo refuses one it did not issue", async () => {
    await expectProblem(await credentialExchange("microsoft", { access_token: "eyJ.token" }), 400, "invalid_request");
    const unknown = await credentialExchange("google", { access_token: "ya29.token" });
    await expectProblem(unknown, 401, "oauth_credential_invalid");
  });

  it("answers 503 when GitHub cannot be reached, creating nothing", async () => {
    const person = gitHubPerson(`gh-${crypto.randomUUID().slice(0, 8)}@example.com`);
    const token = gitHubToken(fake.github, person);
    fake.down = true;
    await expectProblem(await credentialExchange("github", { access_token: token }), 503, "oauth_provider_unavailable");
    expect(await identityBySubject("github", String(person.id))).toBeNull();
  });
});
