// Attacks on the redirect flow (issue 12): missing, wrong, replayed, expired and other-browser state;
// a missing or wrong PKCE verifier; a replayed or raced sign-in code; redirect_to off the allowlist;
// a token endpoint that redirects, refuses or cannot be reached; a forged RFC 9207 `iss`; a nonce
// that is not ours. Each is refused with a stable code and leaves D1 as it was (or the flow spent).
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { advanceClock, freezeClock } from "./support/clock";
import { type FakeIdp, installFakeIdp } from "./support/fake-idp";
import { expectProblem, readJson } from "./support/http";
import {
  callback,
  callManual,
  countWhere,
  exchangeCode,
  oidcPerson,
  pkcePair,
  redirectParameter,
  SPA_REDIRECT,
  signInCode,
  startFlow,
  userByEmail,
} from "./support/oauth";

let fake: FakeIdp;
beforeEach(() => {
  fake = installFakeIdp();
});
afterEach(() => {
  vi.restoreAllMocks();
});

const liveFlows = () => countWhere("select count(*) as n from oauth_flows where consumed_at is null");
const stateOf = (location: string) => new URL(location).searchParams.get("state") ?? "";

describe("the state and its browser binding", () => {
  it("refuses a callback without state, or with a state we never issued, consuming nothing", async () => {
    const flow = await startFlow("google");
    const answer = await fake.approve(flow.location, oidcPerson());
    const before = await liveFlows();
    const withoutState = new URLSearchParams({ code: answer.get("code") ?? "" });
    await expectProblem(await callback("google", withoutState, flow.cookie), 400, "oauth_state_invalid");
    const forged = new URLSearchParams({ code: answer.get("code") ?? "", state: "A".repeat(43) });
    await expectProblem(await callback("google", forged, flow.cookie), 400, "oauth_state_invalid");
    expect(await liveFlows()).toBe(before);
    // The real callback still works afterwards.
    expect(redirectParameter(await callback("google", answer, flow.cookie), "code")).toBeTruthy();
  });

  it("refuses another browser's callback (login CSRF): no cookie or a different one; the flow survives", async () => {
    const victim = await startFlow("google");
    const attacker = await startFlow("google");
    const answer = await fake.approve(victim.location, oidcPerson());
    await expectProblem(await callback("google", answer, null), 400, "oauth_state_invalid");
    await expectProblem(await callback("google", answer, attacker.cookie), 400, "oauth_state_invalid");
    expect(redirectParameter(await callback("google", answer, victim.cookie), "code")).toBeTruthy();
  });

  it("refuses a replayed callback, also when raced: one sign-in code in all", async () => {
    const person = oidcPerson();
    const flow = await startFlow("google");
    const answer = await fake.approve(flow.location, person);
    const responses = await Promise.all(Array.from({ length: 4 }, () => callback("google", answer, flow.cookie)));
    const codes = responses.map((response) => redirectParameter(response, "code")).filter(Boolean);
    expect(codes).toHaveLength(1);
    expect(responses.filter((response) => response.status === 400)).toHaveLength(3);
    const user = await userByEmail(person.email);
    expect(await countWhere("select count(*) as n from oauth_sign_in_codes where user_id = ?", user?.id)).toBe(1);
  });

  it("refuses a state older than ten minutes", async () => {
    freezeClock();
    const flow = await startFlow("google");
    const answer = await fake.approve(flow.location, oidcPerson());
    advanceClock(601);
    await expectProblem(await callback("google", answer, flow.cookie), 400, "oauth_state_invalid");
  });

  it("refuses a state started for another provider", async () => {
    const flow = await startFlow("google");
    const answer = await fake.approve(flow.location, oidcPerson());
    await expectProblem(await callback("acme", answer, flow.cookie), 400, "oauth_state_invalid");
  });
});

describe("the SPA's PKCE and the one-time sign-in code", () => {
  it("refuses an exchange without the verifier, and spends the code on a wrong one", async () => {
    const { code, verifier } = await signInCode(fake, "google", oidcPerson());
    const missing = await callManual("POST", "/v1/oauth/token", {
      form: { grant_type: "authorization_code", code: code ?? "" },
    });
    expect(missing.status).toBe(400);
    expect(await readJson(missing)).toMatchObject({ error: "invalid_request" });
    const wrong = await exchangeCode(code ?? "", (await pkcePair()).verifier);
    expect(await readJson(wrong)).toMatchObject({ error: "invalid_grant" });
    // Spent: the right verifier no longer helps.
    const late = await exchangeCode(code ?? "", verifier);
    expect(late.status).toBe(400);
    expect(await readJson(late)).toMatchObject({ error: "invalid_grant" });
  });

  it("takes a redirect_uri only when it is where the code was sent; another spends the code", async () => {
    const sent = await signInCode(fake, "google", oidcPerson());
    const exchange = (code: string, verifier: string, redirectUri: string) =>
      callManual("POST", "/v1/oauth/token", {
        form: { grant_type: "authorization_code", code, code_verifier: verifier, redirect_uri: redirectUri },
      });
    const same = await exchange(sent.code ?? "", sent.verifier, SPA_REDIRECT);
    expect(same.status).toBe(200);
    const other = await signInCode(fake, "google", oidcPerson());
    const elsewhere = await exchange(other.code ?? "", other.verifier, "https://app.test/other");
    expect(elsewhere.status).toBe(400);
    expect(await readJson(elsewhere)).toMatchObject({ error: "invalid_grant" });
    const late = await exchangeCode(other.code ?? "", other.verifier);
    expect(await readJson(late)).toMatchObject({ error: "invalid_grant" });
  });

  it("refuses an authorize request without an S256 challenge, storing no flow", async () => {
    const before = await countWhere("select count(*) as n from oauth_flows");
    for (const query of [
      "redirect_to=https://app.test/auth/callback",
      "redirect_to=https://app.test/auth/callback&code_challenge=short",
      `redirect_to=https://app.test/auth/callback&code_challenge=${"a".repeat(43)}&code_challenge_method=plain`,
    ]) {
      await expectProblem(await callManual("GET", `/v1/oauth/google/authorize?${query}`), 400, "invalid_request");
    }
    expect(await countWhere("select count(*) as n from oauth_flows")).toBe(before);
  });

  it("answers a replayed code once: of parallel exchanges exactly one opens a session", async () => {
    const person = oidcPerson();
    const { code, verifier } = await signInCode(fake, "google", person);
    const responses = await Promise.all(Array.from({ length: 5 }, () => exchangeCode(code ?? "", verifier)));
    expect(responses.map((response) => response.status).sort()).toEqual([200, 400, 400, 400, 400]);
    const user = await userByEmail(person.email);
    expect(await countWhere("select count(*) as n from sessions where user_id = ?", user?.id)).toBe(1);
  });

  it("refuses a code older than five minutes", async () => {
    freezeClock();
    const { code, verifier } = await signInCode(fake, "google", oidcPerson());
    advanceClock(301);
    expect(await readJson(await exchangeCode(code ?? "", verifier))).toMatchObject({ error: "invalid_grant" });
  });
});

describe("redirect_to", () => {
  it("must be exactly an allowlisted URL: lookalikes are refused and store nothing", async () => {
    const before = await countWhere("select count(*) as n from oauth_flows");
    for (const redirectTo of [
      "https://app.test/auth/callback/../evil",
      "https://app.test/auth/callback?next=https://evil.test",
      "https://app.test/auth/callback#",
      "https://app.test.evil.test/auth/callback",
      "https://evil.test/auth/callback",
      "HTTPS://APP.TEST/auth/callback",
    ]) {
      const flow = await startFlow("google", { redirectTo });
      await expectProblem(flow.response, 400, "oauth_redirect_not_allowed");
      expect(flow.response.headers.get("Set-Cookie")).toBeNull();
    }
    expect(await countWhere("select count(*) as n from oauth_flows")).toBe(before);
  });
});

describe("the provider's answers", () => {
  async function refusedCallback(expected: string, prepare: () => void, provider: "google" | "acme" = "google") {
    const person = oidcPerson();
    const flow = await startFlow(provider);
    const answer = await fake.approve(flow.location, person);
    prepare();
    const users = await countWhere("select count(*) as n from users");
    const response = await callback(provider, answer, flow.cookie);
    expect(response.status).toBe(302);
    expect(redirectParameter(response, "error")).toBe(expected);
    expect(redirectParameter(response, "code")).toBeNull();
    expect(await userByEmail(person.email)).toBeNull();
    expect(await countWhere("select count(*) as n from users")).toBe(users);
    // The flow is spent: the same answer again is refused as a replay.
    await expectProblem(await callback(provider, answer, flow.cookie), 400, "oauth_state_invalid");
    return { flow, answer };
  }

  it("treats a redirect from the token endpoint as an outage, followed nowhere", async () => {
    await refusedCallback("oauth_provider_unavailable", () => {
      fake.tokenAnswer = () => new Response(null, { status: 302, headers: { Location: "https://evil.test/token" } });
    });
    expect(fake.requests.some((request) => request.url.startsWith("https://evil.test"))).toBe(false);
  });

  it("tells the SPA the person declined at the provider, spending the flow and creating nothing", async () => {
    const flow = await startFlow("google");
    const state = new URL(flow.location).searchParams.get("state") ?? "";
    const users = await countWhere("select count(*) as n from users");
    const declined = new URLSearchParams({ error: "access_denied", state });
    const response = await callback("google", declined, flow.cookie);
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(`${SPA_REDIRECT}?error=oauth_access_denied`);
    expect(fake.requests.some((request) => request.url.includes("/token"))).toBe(false);
    expect(await countWhere("select count(*) as n from users")).toBe(users);
    await expectProblem(await callback("google", declined, flow.cookie), 400, "oauth_state_invalid");
    // Any other error the provider answers is the generic refusal.
    const other = await startFlow("google");
    const failed = new URLSearchParams({
      error: "server_error",
      state: new URL(other.location).searchParams.get("state") ?? "",
    });
    expect(redirectParameter(await callback("google", failed, other.cookie), "error")).toBe("oauth_credential_invalid");
  });

  it("refuses when the token endpoint refuses the code", async () => {
    await refusedCallback("oauth_credential_invalid", () => {
      fake.tokenAnswer = () => Response.json({ error: "invalid_grant" }, { status: 400 });
    });
  });

  it("answers an unreachable provider as an outage, with nothing written", async () => {
    const identities = await countWhere("select count(*) as n from identities");
    await refusedCallback("oauth_provider_unavailable", () => {
      fake.down = true;
    });
    expect(await countWhere("select count(*) as n from identities")).toBe(identities);
  });

  it("refuses an authorization response whose iss names another issuer (RFC 9207 mix-up)", async () => {
    const flow = await startFlow("acme");
    const answer = await fake.approve(flow.location, oidcPerson(), { iss: "https://accounts.google.com" });
    const response = await callback("acme", answer, flow.cookie);
    expect(redirectParameter(response, "error")).toBe("oauth_credential_invalid");
    expect(fake.requests.some((request) => request.url === "https://idp.test/token")).toBe(false);
  });

  it("refuses an ID token whose nonce is not the flow's", async () => {
    await refusedCallback("oauth_credential_invalid", () => {
      fake.claimOverrides = { nonce: "someone-elses-nonce" };
    });
  });

  it("refuses an ID token issued to another client", async () => {
    await refusedCallback("oauth_credential_invalid", () => {
      fake.claimOverrides = { aud: "another-app.apps.test" };
    });
  });

  it("refuses an unverified provider email for a new account", async () => {
    await refusedCallback("oauth_email_unverified", () => {
      fake.claimOverrides = { email_verified: "false" };
    });
  });
});

it("logs no state, code or token", async () => {
  const logs = vi.spyOn(console, "log");
  const { code, flow } = await signInCode(fake, "google", oidcPerson());
  const text = logs.mock.calls.map((args) => args.join(" ")).join("\n");
  expect(text).not.toContain(code ?? "no code");
  expect(text).not.toContain(stateOf(flow.location));
  expect(text).not.toContain(flow.cookie.split("=")[1] ?? "no cookie");
});
