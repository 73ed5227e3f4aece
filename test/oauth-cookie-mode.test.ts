// Social login with REFRESH_TOKEN_TRANSPORT=cookie: Apple's form_post callback is a cross-site POST
// from the provider's origin and must get through the cross-site guard (its state and browser
// binding stop login CSRF), while every other social-login POST from a foreign origin is still
// refused; the code exchange then sets the refresh cookie instead of answering the token.
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import type { Bindings } from "../src/bindings";
import { type FakeIdp, installFakeIdp } from "./support/fake-idp";
import { callWith, expectProblem, readJson } from "./support/http";
import { oidcPerson, redirectParameter, startFlow } from "./support/oauth";

const cookieEnv: Bindings = { ...env, REFRESH_TOKEN_TRANSPORT: "cookie" };

let fake: FakeIdp;
beforeEach(() => {
  fake = installFakeIdp();
});
afterEach(() => {
  vi.restoreAllMocks();
});

it("accepts Apple's cross-site form_post callback and answers the exchange with the refresh cookie", async () => {
  const flow = await startFlow("apple");
  const answer = await fake.approve(flow.location, oidcPerson({ email_verified: "true" }));
  const response = await callWith(cookieEnv, "POST", "/v1/oauth/apple/callback", {
    form: Object.fromEntries(answer),
    headers: { Cookie: flow.cookie, Origin: "https://appleid.apple.com" },
  });
  expect(response.status).toBe(302);
  const code = redirectParameter(response, "code") ?? "";
  const exchanged = await callWith(cookieEnv, "POST", "/v1/oauth/token", {
    form: { grant_type: "authorization_code", code, code_verifier: flow.verifier },
    headers: { Origin: "https://app.test" },
  });
  expect(exchanged.status).toBe(200);
  expect(exchanged.headers.get("Set-Cookie")).toMatch(/^__Host-edge-auth-refresh=/);
  expect(await readJson(exchanged)).not.toHaveProperty("refresh_token");
});

it("still refuses a credential exchange posted from a foreign origin", async () => {
  const token = await fake.idToken("google", oidcPerson({ nonce: "n-1" }));
  const response = await callWith(cookieEnv, "POST", "/v1/oauth/google/token", {
    json: { id_token: token, nonce: "n-1" },
    headers: { Origin: "https://evil.test" },
  });
  await expectProblem(response, 403, "forbidden_origin");
});
