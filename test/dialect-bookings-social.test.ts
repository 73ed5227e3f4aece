// Bookings' POST /auth/social/google-oauth2 (issue 12) against the fake identity provider: the
// `access_code` (a Google popup code, or an ID token) signs a new person up (201, the document's
// "User created successfully!" and the pair) or an existing one in (200, the pair alone); a bad,
// replayed or foreign credential, an unverified address and an outage are refused in Bookings'
// shape with nothing written. Outage tests come first: this isolate has cached no JWKS yet.
import { env, exports } from "cloudflare:workers";
import fc from "fast-check";
import { generateKeyPair } from "jose";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { claimsOf, signUp } from "./support/accounts";
import { type BookingsPair, JWT, TOKEN_NOT_VALID } from "./support/dialect-bookings";
import { checkDialectAnswer } from "./support/dialect-fuzz";
import { type FakeIdp, installFakeIdp } from "./support/fake-idp";
import { buildRequest, call, readJson } from "./support/http";
import { countWhere, identitiesOf, oidcPerson, userByEmail } from "./support/oauth";
import { signUpWithTotp } from "./support/totp";

const PATH = "/auth/social/google-oauth2";
const UNAVAILABLE = { detail: "Service temporarily unavailable, try again later." };
const FORBIDDEN = { detail: "You do not have permission to perform this action." };

let fake: FakeIdp;
beforeEach(() => {
  fake = installFakeIdp();
});
afterEach(() => {
  vi.restoreAllMocks();
});

const social = (accessCode: unknown, path = PATH) => call("POST", path, { json: { access_code: accessCode } });
/** A code Google's popup (GIS code client) hands the page: redeemed with redirect_uri=postmessage. */
const popupCode = (person: Record<string, unknown>) => fake.code("google", person, "postmessage");
const users = () => countWhere("select count(*) as n from users");

async function expectBookings(response: Response, status: number, body: unknown): Promise<void> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get("Content-Type")).toMatch(/^application\/json\b/);
  expect(JSON.parse(text)).toEqual(body);
}

/** The refusal and the state it must leave: no account for the person, no new user at all. */
async function expectRefused(accessCode: string, email: string, status: number, body: unknown): Promise<void> {
  const before = await users();
  await expectBookings(await social(accessCode), status, body);
  expect(await userByEmail(email)).toBeNull();
  expect(await users()).toBe(before);
}

describe("Google unreachable", () => {
  it("answers Bookings' 503 for an ID token whose JWKS cannot be read, writing nothing; then works", async () => {
    const person = oidcPerson();
    const token = await fake.idToken("google", person);
    fake.down = true;
    await expectRefused(token, person.email, 503, UNAVAILABLE);
    fake.down = false;
    expect((await social(token)).status).toBe(201);
  });

  it("answers 503 when Google's token endpoint fails, and the code still works once it is back", async () => {
    const person = oidcPerson();
    const code = popupCode(person);
    fake.tokenAnswer = () => Response.json({ error: "temporarily_unavailable" }, { status: 503 });
    await expectRefused(code, person.email, 503, UNAVAILABLE);
    fake.tokenAnswer = null;
    expect((await social(code)).status).toBe(201);
  });
});

describe("signing in with an access_code", () => {
  it("a popup code: 201 with the detail and a pair for a new person, then 200 with the pair alone", async () => {
    const person = oidcPerson();
    const created = await social(popupCode(person));
    expect(created.status).toBe(201);
    const body = await readJson<BookingsPair & { detail: string }>(created);
    expect(Object.keys(body).sort()).toEqual(["access", "detail", "refresh"]);
    expect(body.detail).toBe("User created successfully!");
    expect(body.access).toMatch(JWT);
    const user = await userByEmail(person.email);
    expect(user).toMatchObject({ email_verified: 1, password_hash: null });
    expect(claimsOf(body.access)).toMatchObject({ sub: user?.id, email: person.email, amr: ["fed"] });
    expect(await identitiesOf(user?.id ?? "")).toMatchObject([{ provider: "google", subject: person.sub }]);
    // Redeemed as a popup code: redirect_uri postmessage, our client's secret, no verifier.
    const redeemed = new URLSearchParams(fake.requests.find((request) => request.url.endsWith("/token"))?.body);
    expect(redeemed.get("redirect_uri")).toBe("postmessage");
    expect(redeemed.get("code_verifier")).toBeNull();

    const again = await social(popupCode(person), `${PATH}/`);
    expect(again.status).toBe(200);
    const pair = await readJson<BookingsPair>(again);
    expect(Object.keys(pair).sort()).toEqual(["access", "refresh"]);
    expect(claimsOf(pair.access).sub).toBe(user?.id);
    expect(await countWhere("select count(*) as n from users where email = ?", person.email)).toBe(1);
  });

  it("an ID token (no nonce to send): 201, then 200; its refresh works at /auth/token/refresh/", async () => {
    const person = oidcPerson();
    expect((await social(await fake.idToken("google", person))).status).toBe(201);
    const pair = await readJson<BookingsPair>(await social(await fake.idToken("google", person)));
    const refreshed = await call("POST", "/auth/token/refresh/", { json: { refresh_token: pair.refresh } });
    expect(refreshed.status).toBe(200);
  });

  it("an existing verified account with the same address: 200, the same user, now linked", async () => {
    const local = await signUp();
    await env.DB.prepare("update users set email_verified = 1 where id = ?").bind(local.userId).run();
    const person = oidcPerson({ email: local.email });
    const response = await social(popupCode(person));
    expect(response.status).toBe(200);
    expect(claimsOf((await readJson<BookingsPair>(response)).access).sub).toBe(local.userId);
    expect(await identitiesOf(local.userId)).toMatchObject([{ provider: "google", subject: person.sub }]);
  });

  it("an account with a second factor: 403 and no tokens (simplejwt has no second step)", async () => {
    const local = await signUpWithTotp();
    await env.DB.prepare("update users set email_verified = 1 where id = ?").bind(local.userId).run();
    const response = await social(await fake.idToken("google", oidcPerson({ email: local.email })));
    await expectBookings(response, 403, {
      detail: "This account signs in with a second factor; use the main sign-in.",
    });
  });
});

describe("refused access codes", () => {
  it("an unknown code, and a code used before (in sequence and in parallel): 401, one account", async () => {
    const person = oidcPerson();
    await expectRefused("4/0AX4XfWunknown", person.email, 401, TOKEN_NOT_VALID);
    const code = popupCode(person);
    const answers = await Promise.all([social(code), social(code), social(code)]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 401, 401]);
    await expectBookings(await social(code), 401, TOKEN_NOT_VALID);
    expect(await countWhere("select count(*) as n from users where email = ?", person.email)).toBe(1);
  });

  it("a credential for another client: an ID token's aud or azp, or a code whose ID token is foreign", async () => {
    for (const claims of [{ aud: "someone-else.apps.test" }, { azp: "someone-else.apps.test" }]) {
      const person = oidcPerson(claims);
      await expectRefused(await fake.idToken("google", person), person.email, 401, TOKEN_NOT_VALID);
    }
    const person = oidcPerson();
    fake.claimOverrides = { aud: "someone-else.apps.test" };
    await expectRefused(popupCode(person), person.email, 401, TOKEN_NOT_VALID);
  });

  it("an ID token signed by another key, expired, or from another issuer: 401", async () => {
    const { privateKey } = await generateKeyPair("ES256");
    const person = oidcPerson();
    const now = Math.floor(Date.now() / 1000);
    for (const token of [
      await fake.idToken("google", person, { key: privateKey }),
      await fake.idToken("google", { ...person, iat: now - 7200, exp: now - 3600 }),
      await fake.idToken("google", { ...person, iss: "https://idp.test" }),
    ]) {
      await expectRefused(token, person.email, 401, TOKEN_NOT_VALID);
    }
  });

  it("an address Google does not call verified: Bookings' 403, nothing created", async () => {
    const person = oidcPerson({ email_verified: "false" });
    await expectRefused(await fake.idToken("google", person), person.email, 403, FORBIDDEN);
  });

  it("a missing, blank, null or oversized access_code: DRF's field errors, Google never asked", async () => {
    const cases: [unknown, string][] = [
      [undefined, "This field is required."],
      ["", "This field may not be blank."],
      [null, "This field may not be null."],
      ["x".repeat(9000), "Ensure this field has no more than 8192 characters."],
    ];
    for (const [value, message] of cases) {
      await expectBookings(await social(value), 400, { access_code: [message] });
    }
    expect(fake.requests).toEqual([]);
  });
});

describe("fuzzing the social route", () => {
  const codeLike = fc.oneof(
    fc.string({ maxLength: 300 }),
    fc.tuple(fc.base64String(), fc.base64String(), fc.base64String()).map((parts) => parts.join(".")),
    fc.constantFrom("4/0AX4XfW", "ya29.a0Af", "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.", "postmessage"),
    fc.anything(),
  );
  it("never 5xx, every refusal Bookings' JSON without an internal name, no account made", async () => {
    const before = await users();
    await fc.assert(
      fc.asyncProperty(codeLike, fc.constantFrom(PATH, `${PATH}/`), async (accessCode, path) => {
        const request = buildRequest("POST", path, { json: { access_code: accessCode } });
        await checkDialectAnswer(request, await exports.default.fetch(request), (body, label) => {
          expect(typeof body.detail === "string" || Array.isArray(body.access_code), label).toBe(true);
        });
      }),
      { numRuns: 60, seed: 20_261_202 },
    );
    expect(await users()).toBe(before);
  }, 60_000);
});

describe("a Google access token as access_code", () => {
  it("signs a new person up (201), then in (200), checked with Google's tokeninfo", async () => {
    const person = oidcPerson();
    const token = fake.googleAccessToken(person);
    const created = await social(token);
    expect(created.status).toBe(201);
    expect(await readJson(created)).toMatchObject({
      detail: "User created successfully!",
      access: JWT,
      refresh: expect.any(String),
    });
    expect((await social(token)).status).toBe(200);
    expect(fake.requests.some((request) => request.url.startsWith("https://oauth2.googleapis.com/tokeninfo"))).toBe(
      true,
    );
  });

  it("refuses one issued to another client, an expired one, an unknown one, and an unverified address", async () => {
    const foreign = oidcPerson();
    const other = fake.googleAccessToken({ ...foreign, aud: "someone-else.apps.test", azp: "someone-else.apps.test" });
    await expectRefused(other, foreign.email, 401, TOKEN_NOT_VALID);
    const late = oidcPerson();
    await expectRefused(
      fake.googleAccessToken({ ...late, exp: Math.floor(Date.now() / 1000) - 1 }),
      late.email,
      401,
      TOKEN_NOT_VALID,
    );
    await expectRefused(`ya29.${crypto.randomUUID()}`, oidcPerson().email, 401, TOKEN_NOT_VALID);
    const unverified = oidcPerson({ email_verified: false });
    await expectRefused(fake.googleAccessToken(unverified), unverified.email, 403, FORBIDDEN);
  });

  it("answers 503 when tokeninfo cannot be reached, writing nothing", async () => {
    const person = oidcPerson();
    const token = fake.googleAccessToken(person);
    fake.down = true;
    await expectRefused(token, person.email, 503, UNAVAILABLE);
  });
});
