// Probes of social login's provider specifics (GitHub's /user and /user/emails and its token check,
// Google's tokeninfo, Microsoft Entra's tid:oid and xms_edov, Apple's form_post and client secret)
// and of Bookings' POST /auth/social/google-oauth2, as an attacker and as each real client would.
import { env } from "cloudflare:workers";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { claimsOf, signUp, verifiedAccount } from "./support/accounts";
import { type BookingsPair, JWT, NO_ACCOUNT, TOKEN_NOT_VALID } from "./support/dialect-bookings";
import { type FakeIdp, installFakeIdp, MS_TENANT } from "./support/fake-idp";
import { call, expectProblem, readJson } from "./support/http";
import {
  callManual,
  countWhere,
  credentialExchange,
  exchangeCode,
  identitiesOf,
  identityBySubject,
  oidcPerson,
  redirectParameter,
  startFlow,
  userByEmail,
} from "./support/oauth";
import { gitHubPerson, gitHubToken } from "./support/oauth-github-fake";
import { signUpWithTotp } from "./support/totp";

const PATH = "/auth/social/google-oauth2";
const FORBIDDEN = { detail: "You do not have permission to perform this action." };
const UNAVAILABLE = { detail: "Service temporarily unavailable, try again later." };
/** Anything of the native API's that must not reach a Bookings client. */
const NATIVE = /urn:edge-auth|oauth_[a-z_]+|problem\+json|"title"|"type"|\bat [\w.<>]+ \(|Error:/;

let fake: FakeIdp;
type Responder = (request: Request, url: URL) => Response | null | Promise<Response | null>;
let responders: Responder[] = [];

beforeEach(() => {
  fake = installFakeIdp();
  responders = [];
  const inner = vi.mocked(globalThis.fetch).getMockImplementation();
  if (!inner) throw new Error("the fake identity provider installed no fetch");
  vi.mocked(globalThis.fetch).mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    for (const responder of responders) {
      const answer = await responder(request.clone(), new URL(request.url));
      if (answer) {
        fake.requests.push({ url: request.url, method: request.method, headers: request.headers, body: "" });
        return answer;
      }
    }
    return inner(input, init);
  });
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** Answers requests to `host` + `path` (and `method`) with `answer` instead of the fake. */
function answerAt(host: string, path: string, answer: (request: Request) => Response, method?: string): void {
  responders.push((request, url) =>
    url.host === host && url.pathname === path && (!method || request.method === method) ? answer(request) : null,
  );
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });
const now = () => Math.floor(Date.now() / 1000);
const users = () => countWhere("select count(*) as n from users");
const social = (accessCode: unknown, path = PATH) => call("POST", path, { json: { access_code: accessCode } });

async function expectBookings(response: Response, status: number, body?: unknown): Promise<Record<string, unknown>> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get("Content-Type")).toMatch(/^application\/json\b/);
  expect(text).not.toMatch(NATIVE);
  const parsed = JSON.parse(text) as Record<string, unknown>;
  if (body !== undefined) expect(parsed).toEqual(body);
  return parsed;
}

// ─── GitHub ─────────────────────────────────────────────────────────────────────────────────────────

describe("GitHub: /user, /user/emails and the token check answering oddly", () => {
  const github = (token: string) => credentialExchange("github", { access_token: token });

  it("a /user id that is a string, zero, negative, fractional or beyond 2^53: 503, nothing written", async () => {
    for (const id of ["4242", 0, -7, 1.5, 2 ** 53 + 2, null, true]) {
      responders = [];
      const person = gitHubPerson(`gh-${crypto.randomUUID().slice(0, 8)}@example.com`);
      answerAt("api.github.com", "/user", () => json({ id, login: "octo" }));
      const before = await users();
      await expectProblem(await github(gitHubToken(fake.github, person)), 503, "oauth_provider_unavailable");
      expect(await users(), String(id)).toBe(before);
      expect(await identityBySubject("github", String(id))).toBeNull();
    }
  });

  it("several entries claiming primary: never an unverified one's address", async () => {
    const victim = await verifiedAccount();
    const person = gitHubPerson(victim.email, false);
    person.emails.push({
      email: `other-${crypto.randomUUID().slice(0, 6)}@example.com`,
      primary: true,
      verified: true,
    });
    const response = await github(gitHubToken(fake.github, person));
    expect([201, 403]).toContain(response.status);
    expect(await identitiesOf(victim.userId)).toEqual([]);
  });

  it("a primary unverified plus another verified (not primary): no address trusted, 403, nothing written", async () => {
    const person = gitHubPerson(`gh-${crypto.randomUUID().slice(0, 8)}@example.com`, false);
    const secondary = `gh2-${crypto.randomUUID().slice(0, 8)}@example.com`;
    person.emails.push({ email: secondary, primary: false, verified: true });
    const before = await users();
    await expectProblem(await github(gitHubToken(fake.github, person)), 403, "oauth_email_unverified");
    expect(await users()).toBe(before);
    expect(await userByEmail(secondary)).toBeNull();
  });

  it("an uppercase, space-padded primary address links to the verified account with that address", async () => {
    const local = await verifiedAccount();
    const person = gitHubPerson(`  ${local.email.toUpperCase()}  `);
    const response = await github(gitHubToken(fake.github, person));
    expect(response.status).toBe(200);
    expect(claimsOf((await readJson<{ access_token: string }>(response)).access_token).sub).toBe(local.userId);
    expect(await identitiesOf(local.userId)).toMatchObject([{ provider: "github", email: local.email }]);
  });

  it("/user/emails answering a non-array body: no address taken from it, no 500, nothing written", async () => {
    for (const body of [{ email: "x@example.com", primary: true, verified: true }, "x@example.com", null]) {
      responders = [];
      const person = gitHubPerson(`gh-${crypto.randomUUID().slice(0, 8)}@example.com`);
      answerAt("api.github.com", "/user/emails", () => json(body));
      const response = await github(gitHubToken(fake.github, person));
      expect([403, 503]).toContain(response.status);
      expect(await userByEmail("x@example.com")).toBeNull();
      expect(await identityBySubject("github", String(person.id))).toBeNull();
    }
  });

  it("/user/emails answering a 3xx, or /user a 429 with Retry-After: 503 (an outage), nothing written", async () => {
    const one = gitHubPerson(`gh-${crypto.randomUUID().slice(0, 8)}@example.com`);
    answerAt("api.github.com", "/user/emails", () => new Response(null, { status: 302, headers: { Location: "/x" } }));
    await expectProblem(await github(gitHubToken(fake.github, one)), 503, "oauth_provider_unavailable");
    expect(await identityBySubject("github", String(one.id))).toBeNull();
    responders = [];
    const two = gitHubPerson(`gh-${crypto.randomUUID().slice(0, 8)}@example.com`);
    answerAt("api.github.com", "/user", () => json({ message: "rate limit" }, 429, { "Retry-After": "60" }));
    await expectProblem(await github(gitHubToken(fake.github, two)), 503, "oauth_provider_unavailable");
    expect(await identityBySubject("github", String(two.id))).toBeNull();
  });

  it("a 401 on /user only (the token check said yes): the credential is refused, 401", async () => {
    const person = gitHubPerson(`gh-${crypto.randomUUID().slice(0, 8)}@example.com`);
    answerAt("api.github.com", "/user", () => json({ message: "Bad credentials" }, 401));
    await expectProblem(await github(gitHubToken(fake.github, person)), 401, "oauth_credential_invalid");
    expect(await identityBySubject("github", String(person.id))).toBeNull();
  });

  it("the token check answering 200 for another app's client_id, a 422, or a 5xx: 401, 401, 503; /user never asked", async () => {
    const cases: [() => Response, number, string][] = [
      () => json({ app: { client_id: "someone-elses-app" }, user: { id: 1 } }),
      () => json({ app: { client_id: 12345 } }),
      () => json({ app: null }),
      () => json({ message: "Validation Failed" }, 422),
    ].map((answer) => [answer, 401, "oauth_credential_invalid"] as [() => Response, number, string]);
    cases.push([() => json({ message: "oops" }, 502), 503, "oauth_provider_unavailable"]);
    cases.push([() => new Response("<html>", { status: 200 }), 503, "oauth_provider_unavailable"]);
    for (const [answer, status, code] of cases) {
      responders = [];
      fake.requests = [];
      const person = gitHubPerson(`gh-${crypto.randomUUID().slice(0, 8)}@example.com`);
      responders.push((request, url) =>
        url.host === "api.github.com" && url.pathname.endsWith("/token") && request.method === "POST" ? answer() : null,
      );
      await expectProblem(await github(gitHubToken(fake.github, person)), status, code as never);
      expect(fake.requests.some((request) => request.url === "https://api.github.com/user")).toBe(false);
    }
  });

  it("an access token with CR/LF, spaces, non-ASCII or over 512 characters: 400 or 401, never 5xx, /user never asked", async () => {
    for (const token of ["gho_abc\r\nX-Injected: 1", "gho_a b", "gho_ünïcode", "gho_\u0000", "g".repeat(513)]) {
      fake.requests = [];
      const response = await github(token);
      expect([400, 401], JSON.stringify(token)).toContain(response.status);
      expect(response.headers.get("Content-Type")).toBe("application/problem+json");
      expect(fake.requests.some((request) => request.url.startsWith("https://api.github.com/user"))).toBe(false);
    }
  });
});

// ─── Google access tokens (tokeninfo) ───────────────────────────────────────────────────────────────

describe("Google access tokens: tokeninfo answering oddly", () => {
  const GOOGLE = env.OAUTH_GOOGLE_CLIENT_ID as string;
  /** A ya29 token whose tokeninfo answer is `body` (status `status`). */
  function tokenInfo(body: unknown, status = 200): string {
    const token = `ya29.${crypto.randomUUID()}`;
    responders.push((_, url) =>
      url.host === "oauth2.googleapis.com" &&
      url.pathname === "/tokeninfo" &&
      url.searchParams.get("access_token") === token
        ? json(body, status)
        : null,
    );
    return token;
  }
  const info = (claims: Record<string, unknown>) => {
    const person = oidcPerson();
    return {
      person,
      body: {
        aud: GOOGLE,
        azp: GOOGLE,
        sub: person.sub,
        email: person.email,
        email_verified: "true",
        exp: String(now() + 3600),
        expires_in: "3599",
        ...claims,
      },
    };
  };

  it.each([
    ["aud ours but azp another client's", { azp: "someone-else.apps.test" }],
    ["aud another client's but azp ours", { aud: "someone-else.apps.test" }],
  ])("%s: refused (401), nothing written", async (_, claims) => {
    const { person, body } = info(claims);
    await expectBookings(await social(tokenInfo(body)), 401, TOKEN_NOT_VALID);
    expect(await userByEmail(person.email)).toBeNull();
  });

  it("exp as a float string is taken; exp as prose, past, missing or empty is refused", async () => {
    const { body } = info({ exp: `${now() + 3600}.5` });
    expect((await social(tokenInfo(body))).status).toBe(201);
    for (const exp of ["soon", String(now() - 5), undefined, "", now() - 5, true]) {
      const { person, body: refused } = info({ exp });
      await expectBookings(await social(tokenInfo(refused)), 401, TOKEN_NOT_VALID);
      expect(await userByEmail(person.email)).toBeNull();
    }
  });

  it('email_verified "false", false, "False", 1 or missing: never a new verified account (403)', async () => {
    for (const emailVerified of ["false", false, "False", 1, undefined]) {
      const { person, body } = info({ email_verified: emailVerified });
      await expectBookings(await social(tokenInfo(body)), 403, FORBIDDEN);
      expect(await userByEmail(person.email)).toBeNull();
    }
  });

  it("an error body with status 200, or without sub / with a numeric sub: 401", async () => {
    const person = oidcPerson();
    for (const body of [
      { error: "invalid_token", error_description: "Invalid Value" },
      info({ sub: undefined }).body,
      info({ sub: 12345 }).body,
      [],
    ]) {
      await expectBookings(await social(tokenInfo(body)), 401, TOKEN_NOT_VALID);
    }
    expect(await userByEmail(person.email)).toBeNull();
  });

  it.each([
    ["a redirect", () => new Response(null, { status: 302, headers: { Location: "https://accounts.google.com/" } })],
    ["a 429 with Retry-After", () => json({ error: "rate_limited" }, 429, { "Retry-After": "30" })],
    ["a 500", () => json({ error: "backend_error" }, 500)],
  ])("tokeninfo answering %s: an outage (503), not the token's fault", async (_, answer) => {
    const person = oidcPerson();
    const token = `ya29.${crypto.randomUUID()}`;
    responders.push((_, url) =>
      url.host === "oauth2.googleapis.com" && url.pathname === "/tokeninfo" ? answer() : null,
    );
    await expectBookings(await social(token), 503, UNAVAILABLE);
    expect(await userByEmail(person.email)).toBeNull();
  });

  it("a 1000-character Google access token (Google allows up to 2048) signs in at the native endpoint", async () => {
    const person = oidcPerson();
    const token = `ya29.${"a".repeat(995)}`;
    responders.push((_, url) =>
      url.host === "oauth2.googleapis.com" && url.searchParams.get("access_token") === token
        ? json(info({ sub: person.sub, email: person.email }).body)
        : null,
    );
    const response = await credentialExchange("google", { access_token: token });
    expect(response.status, await response.clone().text()).toBe(201);
  });
});

// ─── Microsoft Entra ────────────────────────────────────────────────────────────────────────────────

describe("Microsoft Entra: tid:oid, xms_edov", () => {
  const PERSONAL_TENANT = "9188040d-6c67-4c5b-b112-36a304b66dad";
  const entra = async (claims: Record<string, unknown>) => {
    const nonce = `n-${crypto.randomUUID()}`;
    const token = await fake.idToken("microsoft", { tid: MS_TENANT, oid: crypto.randomUUID(), nonce, ...claims });
    return credentialExchange("microsoft", { id_token: token, nonce });
  };

  it("an ID token of our issuer naming another tenant's tid: refused, no identity under that tenant", async () => {
    const other = crypto.randomUUID();
    const person = oidcPerson({ tid: other, xms_edov: true });
    await expectProblem(await entra(person), 401, "oauth_credential_invalid");
    expect(await userByEmail(person.email)).toBeNull();
  });

  it("a missing or non-string oid, or a missing tid: 401", async () => {
    for (const claims of [{ oid: undefined }, { oid: 42 }, { tid: undefined }]) {
      const person = oidcPerson({ xms_edov: true, ...claims });
      await expectProblem(await entra(person), 401, "oauth_credential_invalid");
      expect(await userByEmail(person.email)).toBeNull();
    }
  });

  it("a personal (consumer tenant) account's ID token: 401", async () => {
    const person = oidcPerson({
      tid: PERSONAL_TENANT,
      xms_edov: true,
      iss: `https://login.microsoftonline.com/${PERSONAL_TENANT}/v2.0`,
    });
    await expectProblem(await entra(person), 401, "oauth_credential_invalid");
    expect(await userByEmail(person.email)).toBeNull();
  });

  it('xms_edov true, "true" or "1" verifies; false, "false", 0, "0" or missing does not', async () => {
    for (const edov of [true, "true", "1"]) expect((await entra(oidcPerson({ xms_edov: edov }))).status).toBe(201);
    for (const edov of [false, "false", 0, "0", undefined, "yes"]) {
      const person = oidcPerson({ xms_edov: edov });
      await expectProblem(await entra(person), 403, "oauth_email_unverified");
      expect(await userByEmail(person.email)).toBeNull();
    }
  });

  it("an email claim that changes between sign-ins never moves the identity or the account's address", async () => {
    const oid = crypto.randomUUID();
    const first = oidcPerson({ oid, xms_edov: true });
    const created = await entra(first);
    expect(created.status).toBe(201);
    const userId = claimsOf((await readJson<{ access_token: string }>(created)).access_token).sub;
    const other = await verifiedAccount();
    const again = await entra({ ...first, email: other.email, xms_edov: true });
    expect(again.status).toBe(200);
    expect(claimsOf((await readJson<{ access_token: string }>(again)).access_token).sub).toBe(userId);
    expect((await userByEmail(first.email))?.id).toBe(userId);
    expect(await identitiesOf(other.userId)).toEqual([]);
    expect(await countWhere("select count(*) as n from identities where user_id = ?", userId)).toBe(1);
  });
});

// ─── Apple ──────────────────────────────────────────────────────────────────────────────────────────

describe("Apple: form_post with `user`, and the client secret", () => {
  async function applePost(user: string | null) {
    const flow = await startFlow("apple");
    const answer = await fake.approve(flow.location, oidcPerson({ email_verified: "true" }));
    const form = Object.fromEntries(answer);
    const response = await callManual("POST", "/v1/oauth/apple/callback", {
      form: user === null ? form : { ...form, user },
      headers: { Cookie: flow.cookie, Origin: "https://appleid.apple.com" },
    });
    return { flow, response };
  }

  it("a first sign-in's `user` JSON, well formed, malformed or odd, never stops the sign-in", async () => {
    for (const user of [
      JSON.stringify({ name: { firstName: "Ada", lastName: "Lovelace" }, email: "x@privaterelay.appleid.com" }),
      '{"name":{"firstName":',
      "[1,2,3]",
      JSON.stringify({ name: { firstName: "<script>alert(1)</script>".repeat(100), lastName: null } }),
      "\u0000\uffff",
    ]) {
      const { flow, response } = await applePost(user);
      expect(response.status, user.slice(0, 40)).toBe(302);
      const code = redirectParameter(response, "code");
      expect(code, response.headers.get("Location") ?? "").toBeTruthy();
      expect((await exchangeCode(code ?? "", flow.verifier)).status).toBe(200);
    }
  });

  it("a huge `user` (over the body limit): a clean 413 problem, never a 500", async () => {
    const { response } = await applePost(JSON.stringify({ name: { firstName: "A".repeat(40_000) } }));
    expect([302, 413]).toContain(response.status);
    if (response.status === 413) await expectProblem(response, 413, "payload_too_large");
  });

  it("the client secret the token endpoint sees: ES256 with the key id, iss team, sub client id, aud Apple, short-lived", async () => {
    const { response } = await applePost(null);
    expect(response.status).toBe(302);
    const redeemed = fake.requests.find((request) => request.url === "https://appleid.apple.com/token");
    const secret = new URLSearchParams(redeemed?.body).get("client_secret") ?? "";
    expect(decodeProtectedHeader(secret)).toEqual({ alg: "ES256", kid: env.OAUTH_APPLE_KEY_ID });
    const claims = decodeJwt(secret);
    expect(claims).toMatchObject({
      iss: env.OAUTH_APPLE_TEAM_ID,
      sub: env.OAUTH_APPLE_CLIENT_ID,
      aud: "https://appleid.apple.com",
    });
    const iat = claims.iat ?? 0;
    expect(Math.abs(iat - now())).toBeLessThan(60);
    expect((claims.exp ?? 0) - iat).toBeGreaterThan(0);
    expect((claims.exp ?? 0) - iat).toBeLessThanOrEqual(15_777_000);
    expect(new URLSearchParams(redeemed?.body).get("client_id")).toBe(env.OAUTH_APPLE_CLIENT_ID);
  });
});

// ─── Bookings' social endpoint ─────────────────────────────────────────────────────────────────────

describe("Bookings POST /auth/social/google-oauth2, as its clients call it", () => {
  it("GET, PUT, DELETE: DRF's 405 with an Allow header naming POST", async () => {
    for (const method of ["GET", "PUT", "DELETE", "PATCH"]) {
      for (const path of [PATH, `${PATH}/`]) {
        const response = await call(method, path);
        await expectBookings(response, 405, { detail: `Method "${method}" not allowed.` });
        expect(response.headers.get("Allow") ?? "", `${method} ${path}`).toMatch(/\bPOST\b/);
      }
    }
  });

  it("a form-urlencoded access_code works as JSON does", async () => {
    const person = oidcPerson();
    const response = await call("POST", PATH, { form: { access_code: await fake.idToken("google", person) } });
    const body = await expectBookings(response, 201);
    expect(body).toMatchObject({ detail: "User created successfully!", access: JWT, refresh: expect.any(String) });
  });

  it("text/plain, XML and no content type: DRF's 415; malformed JSON: DRF's parse error; an array: non_field_errors", async () => {
    const body = JSON.stringify({ access_code: "x" });
    await expectBookings(await call("POST", PATH, { body, contentType: "text/plain" }), 415, {
      detail: 'Unsupported media type "text/plain" in request.',
    });
    await expectBookings(await call("POST", PATH, { body, contentType: "application/xml" }), 415, {
      detail: 'Unsupported media type "application/xml" in request.',
    });
    await expectBookings(await call("POST", PATH, { body: '{"access_code":', contentType: "application/json" }), 400, {
      detail: "JSON parse error - the request body is not valid JSON.",
    });
    await expectBookings(await call("POST", PATH, { json: ["x"] }), 400, {
      non_field_errors: ["Invalid data. Expected a dictionary."],
    });
    const bare = await call("POST", PATH, { body, headers: { "Content-Type": "" } });
    expect([400, 415]).toContain(bare.status);
    await expectBookings(bare, bare.status);
    const numeric = await expectBookings(await social(12345), 400);
    expect(Object.keys(numeric)).toEqual(["access_code"]);
    expect(fake.requests).toEqual([]);
  });

  it("each kind of access_code for one person: 201 once, then 200, the same user and one identity", async () => {
    const person = oidcPerson();
    const first = await expectBookings(await social(await fake.idToken("google", person)), 201);
    const userId = claimsOf(String(first.access)).sub;
    for (const accessCode of [fake.code("google", person, "postmessage"), fake.googleAccessToken(person)]) {
      const body = await expectBookings(await social(accessCode, `${PATH}/`), 200);
      expect(Object.keys(body).sort()).toEqual(["access", "refresh"]);
      expect(claimsOf(String(body.access)).sub).toBe(userId);
    }
    expect(await countWhere("select count(*) as n from identities where user_id = ?", userId)).toBe(1);
  });

  it("a person whose linked account has a second factor: 403 every time, no session opened", async () => {
    const local = await signUpWithTotp();
    await env.DB.prepare("update users set email_verified = 1 where id = ?").bind(local.userId).run();
    const sessions = () => countWhere("select count(*) as n from sessions where user_id = ?", local.userId);
    const before = await sessions();
    const person = oidcPerson({ email: local.email });
    const refusal = { detail: "This account signs in with a second factor; use the main sign-in." };
    await expectBookings(await social(await fake.idToken("google", person)), 403, refusal);
    await expectBookings(await social(fake.googleAccessToken(person)), 403, refusal);
    expect(await sessions()).toBe(before);
  });

  it("a disabled account: simplejwt's 401, no tokens, no session", async () => {
    const person = oidcPerson();
    const created = await expectBookings(await social(await fake.idToken("google", person)), 201);
    const userId = claimsOf(String(created.access)).sub;
    await env.DB.prepare("update users set disabled_at = ? where id = ?").bind(now(), userId).run();
    const sessions = await countWhere("select count(*) as n from sessions where user_id = ?", userId);
    const response = await social(fake.code("google", person, "postmessage"));
    await expectBookings(response, 401, NO_ACCOUNT);
    expect(await countWhere("select count(*) as n from sessions where user_id = ?", userId)).toBe(sessions);
  });

  it("a disabled local account with the person's address: 401, nothing linked", async () => {
    const local = await signUp();
    await env.DB.prepare("update users set email_verified = 1, disabled_at = ? where id = ?")
      .bind(now(), local.userId)
      .run();
    await expectBookings(
      await social(await fake.idToken("google", oidcPerson({ email: local.email }))),
      401,
      NO_ACCOUNT,
    );
    expect(await identitiesOf(local.userId)).toEqual([]);
  });

  it("parallel first calls by one person (ID tokens, a popup code, an access token): one 201, one account", async () => {
    const person = oidcPerson();
    const codes = [
      await fake.idToken("google", person),
      await fake.idToken("google", person),
      fake.code("google", person, "postmessage"),
      fake.googleAccessToken(person),
    ];
    const answers = await Promise.all(codes.map((accessCode) => social(accessCode)));
    const statuses = answers.map((answer) => answer.status).sort();
    expect(statuses).toEqual([200, 200, 200, 201]);
    const bodies = await Promise.all(answers.map((answer) => readJson<BookingsPair>(answer)));
    expect(new Set(bodies.map((body) => claimsOf(body.access).sub)).size).toBe(1);
    expect(await countWhere("select count(*) as n from users where email = ?", person.email)).toBe(1);
    expect(await countWhere("select count(*) as n from identities where subject = ?", person.sub)).toBe(1);
  });

  it("every refusal is Bookings' shape: an unverified address, a foreign token, an outage, a GitHub token", async () => {
    const unverified = oidcPerson({ email_verified: false });
    await expectBookings(await social(await fake.idToken("google", unverified)), 403, FORBIDDEN);
    await expectBookings(await social(`gho_${crypto.randomUUID().replaceAll("-", "")}`), 401, TOKEN_NOT_VALID);
    const apple = await fake.idToken("apple", oidcPerson({ email_verified: "true" }));
    await expectBookings(await social(apple), 401, TOKEN_NOT_VALID);
    const refused = await social("4/0AX4XfWh-not-a-real-code");
    await expectBookings(refused, 401, TOKEN_NOT_VALID);
    expect(refused.headers.get("WWW-Authenticate")).toBe('Bearer realm="api"');
    expect(refused.headers.get("Cache-Control")).toBe("no-store");
  });
});
