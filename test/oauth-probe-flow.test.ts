// Probes of the social-login redirect flow over HTTP, as an attacker and as a picky SPA would: the
// authorize request's odd inputs and what its 302 and cookie say, and the callback's odd answers (a
// second flow in the same browser, mixed providers, code and error together, repeated or malformed
// state, the wrong response mode or body, redirect_to's own query kept). Complements
// oauth-attacks-flow, oauth-redirect-flow and oauth-cookie-mode; the code exchange's probes are in
// oauth-probe-code-grant.
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Bindings } from "../src/bindings";
import { type FakeIdp, ISSUERS, installFakeIdp } from "./support/fake-idp";
import { callWith, expectProblem, readJson } from "./support/http";
import {
  callback,
  callManual,
  exchangeCode,
  oidcPerson,
  pkcePair,
  redirectParameter,
  SPA_REDIRECT,
  signInCode,
  startFlow,
  userByEmail,
} from "./support/oauth";
import { allFlows, authorize, challengeOf, expectNoInternals, liveFlowByState, stateOf } from "./support/oauth-probes";

let fake: FakeIdp;
beforeEach(() => {
  fake = installFakeIdp();
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe("GET /v1/oauth/{provider}/authorize: odd inputs", () => {
  it("answers 404 oauth_provider_not_found for provider names odd in case, length or characters, storing nothing", async () => {
    const before = await allFlows();
    const query = new URLSearchParams({ redirect_to: SPA_REDIRECT, code_challenge: (await pkcePair()).challenge });
    for (const name of [
      "Google",
      "GOOGLE",
      "g",
      `g${"o".repeat(20)}`,
      "goo_gle",
      "goo-gle",
      "1google",
      "google.",
      "%C3%A9",
      "google%00",
    ]) {
      const response = await callManual("GET", `/v1/oauth/${name}/authorize?${query}`);
      expect(response.status, name).toBe(404);
      expect(response.headers.get("Set-Cookie"), name).toBeNull();
      const body = await readJson(response);
      expect(body.code, name).toBe("oauth_provider_not_found");
    }
    expect(await allFlows()).toBe(before);
  });

  it("takes a percent-encoded redirect_to that decodes to the exact allowlisted URL, and nothing near it", async () => {
    const { challenge } = await pkcePair();
    const encoded = await authorize(`redirect_to=https%3A%2F%2Fapp.test%2Fauth%2Fcallback&code_challenge=${challenge}`);
    expect(encoded.status).toBe(302);
    const before = await allFlows();
    for (const redirectTo of [
      "%20https://app.test/auth/callback",
      "https://app.test/auth/callback%20",
      "https://app.test/auth/callback+",
      "https://app.test/auth/callback%09",
      "https://app.test/auth/callback%0A",
      "https://app.test/auth/callback%0D%0ALocation:%20https://evil.test",
      "https://app.test/auth/%2563allback",
      "https://app.test/auth/callback%2523x",
      "https://app.test/auth/callback%23x",
      "https://app.test/auth/callback/",
      "https://app.test/auth/callback%3F",
      "https://app.test:443/auth/callback",
      "https://app.test/auth/callback%00",
    ]) {
      const response = await authorize(`redirect_to=${redirectTo}&code_challenge=${challenge}`);
      expect(response.status, redirectTo).toBe(400);
      await expectProblem(response, 400, "oauth_redirect_not_allowed");
      expect(response.headers.get("Set-Cookie"), redirectTo).toBeNull();
      expect(response.headers.get("Cache-Control")).toBe("no-store");
    }
    expect(await allFlows()).toBe(before);
  });

  it("refuses repeated, unknown, too many and over-long parameters with invalid_request, storing nothing", async () => {
    const { challenge } = await pkcePair();
    const good = `redirect_to=${encodeURIComponent(SPA_REDIRECT)}&code_challenge=${challenge}`;
    const before = await allFlows();
    for (const query of [
      `${good}&redirect_to=${encodeURIComponent(SPA_REDIRECT)}`,
      `${good}&code_challenge=${challenge}`,
      `${good}&state=spa-state`,
      `${good}&redirect_uri=${encodeURIComponent(SPA_REDIRECT)}`,
      `${good}&prompt=none`,
      `${good}&${Array.from({ length: 25 }, (_, i) => `p${i}=1`).join("&")}`,
      `redirect_to=${encodeURIComponent(`${SPA_REDIRECT}?${"a".repeat(2100)}`)}&code_challenge=${challenge}`,
      `redirect_to=${encodeURIComponent(SPA_REDIRECT)}&code_challenge=${"a".repeat(129)}`,
      `redirect_to=${encodeURIComponent(SPA_REDIRECT)}&code_challenge=${"a".repeat(44)}`,
      `redirect_to=${encodeURIComponent(SPA_REDIRECT)}&code_challenge=${"a".repeat(42)}+`,
      `redirect_to=${encodeURIComponent(SPA_REDIRECT)}&code_challenge=${challenge}&code_challenge_method=s256`,
      `redirect_to=${encodeURIComponent(SPA_REDIRECT)}&code_challenge=${challenge}&code_challenge_method=`,
      `redirect_to=&code_challenge=${challenge}`,
      `code_challenge=${challenge}`,
      "",
    ]) {
      const response = await authorize(query);
      expect(response.status, query.slice(0, 200)).toBe(400);
      expect(response.headers.get("Set-Cookie")).toBeNull();
      const body = await readJson(response);
      expect(["invalid_request", "oauth_redirect_not_allowed"]).toContain(body.code);
    }
    expect(await allFlows()).toBe(before);
  });

  it("answers 405 with Allow: GET to other methods, OPTIONS without a flow, and HEAD like GET without a body", async () => {
    const { challenge } = await pkcePair();
    const query = `redirect_to=${encodeURIComponent(SPA_REDIRECT)}&code_challenge=${challenge}`;
    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
      const response = await callManual(method, `/v1/oauth/google/authorize?${query}`);
      await expectProblem(response, 405, "method_not_allowed");
      expect(response.headers.get("Allow")).toBe("GET");
      expect(response.headers.get("Set-Cookie")).toBeNull();
    }
    const before = await allFlows();
    const options = await callManual("OPTIONS", `/v1/oauth/google/authorize?${query}`);
    expect(options.status).toBeLessThan(300);
    expect(options.headers.get("Set-Cookie")).toBeNull();
    expect(await allFlows()).toBe(before);
    const head = await callManual("HEAD", `/v1/oauth/google/authorize?${query}`);
    expect(head.status).toBe(302);
    expect(await head.text()).toBe("");
    expect(head.headers.get("Location")?.startsWith(`${ISSUERS.google}/authorize?`)).toBe(true);
  });
});

describe("GET /v1/oauth/{provider}/authorize: what the 302 and the cookie say", () => {
  it("sets a __Host- cookie (Secure, HttpOnly, Path=/, no Domain, SameSite) and Cache-Control: no-store", async () => {
    for (const [provider, sameSite] of [
      ["google", "Lax"],
      ["github", "Lax"],
      ["apple", "None"],
    ] as const) {
      const flow = await startFlow(provider);
      expect(flow.response.status).toBe(302);
      expect(flow.response.headers.get("Cache-Control")).toMatch(/no-store/);
      const cookies = flow.response.headers.getSetCookie();
      expect(cookies).toHaveLength(1);
      const [pair, ...attributes] = (cookies[0] ?? "").split(/;\s*/);
      expect(pair).toMatch(/^__Host-oauth_flow=[A-Za-z0-9_-]{43}$/);
      const names = attributes.map((attribute) => attribute.split("=")[0]?.toLowerCase());
      expect(names).toEqual(expect.arrayContaining(["secure", "httponly", "path", "samesite", "max-age"]));
      expect(names).not.toContain("domain");
      expect(attributes).toContain("Path=/");
      expect(attributes).toContain(`SameSite=${sameSite}`);
      expect(await flow.response.text()).not.toContain(pair?.split("=")[1] ?? "none");
    }
  });

  it("sends the browser to the provider's authorization endpoint with its parameters only: no verifier, no redirect_to, not the SPA's challenge", async () => {
    const { challenge } = await pkcePair();
    const response = await authorize(`redirect_to=${encodeURIComponent(SPA_REDIRECT)}&code_challenge=${challenge}`);
    const location = response.headers.get("Location") ?? "";
    const url = new URL(location);
    expect(`${url.origin}${url.pathname}`).toBe(`${ISSUERS.google}/authorize`);
    expect([...url.searchParams.keys()].sort()).toEqual(
      [
        "client_id",
        "code_challenge",
        "code_challenge_method",
        "nonce",
        "redirect_uri",
        "response_type",
        "scope",
        "state",
      ].sort(),
    );
    expect(url.searchParams.get("response_type")).toBe("code");
    expect(url.searchParams.get("scope")?.split(" ")).toContain("openid");
    expect(url.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.searchParams.get("code_challenge")).not.toBe(challenge);
    const cookieValue = (response.headers.get("Set-Cookie") ?? "").split(";")[0]?.split("=")[1] ?? "";
    expect(url.searchParams.get("state")).not.toBe(cookieValue);
    expect(location).not.toContain(cookieValue);
    expect(location).not.toContain("app.test");
    const row = await env.DB.prepare("select code_verifier, nonce from oauth_flows where state_hash = ?")
      .bind(await challengeOf(stateOf(location)))
      .first<{ code_verifier: string; nonce: string }>();
    expect(row).not.toBeNull();
    expect(location).not.toContain(row?.code_verifier ?? "none");
    expect(url.searchParams.get("code_challenge")).toBe(await challengeOf(row?.code_verifier ?? ""));
    expect(url.searchParams.get("nonce")).toBe(row?.nonce);
    // GitHub is not OIDC: no nonce; Apple asks for form_post.
    const github = new URL((await startFlow("github")).location);
    expect(github.searchParams.has("nonce")).toBe(false);
    expect(github.origin + github.pathname).toBe("https://github.com/login/oauth/authorize");
    expect(new URL((await startFlow("apple")).location).searchParams.get("response_mode")).toBe("form_post");
  });
});

describe("GET/POST /v1/oauth/{provider}/callback", () => {
  it("a second flow in the same browser: the first's callback is refused clearly (400 problem, no-store), the second completes", async () => {
    const first = await startFlow("google");
    const second = await startFlow("google");
    // The browser keeps only the latest __Host-oauth_flow cookie.
    const firstAnswer = await fake.approve(first.location, oidcPerson());
    const refused = await callback("google", firstAnswer, second.cookie);
    expectNoInternals(await refused.clone().text());
    await expectProblem(refused, 400, "oauth_state_invalid");
    expect(refused.headers.get("Cache-Control")).toBe("no-store");
    expect(refused.headers.get("Location")).toBeNull();
    // Nothing of the second flow was consumed by the first's answer.
    expect(await liveFlowByState(stateOf(second.location))).toBe(1);
    const secondAnswer = await fake.approve(second.location, oidcPerson());
    const done = await callback("google", secondAnswer, second.cookie);
    expect(done.status).toBe(302);
    const code = redirectParameter(done, "code");
    expect(code).toBeTruthy();
    expect((await exchangeCode(code ?? "", second.verifier)).status).toBe(200);
  });

  it("a callback for provider A with provider B's flow is refused and consumes nothing: B's own callback still works", async () => {
    const flow = await startFlow("google");
    const answer = await fake.approve(flow.location, oidcPerson());
    for (const provider of ["acme", "github", "microsoft"]) {
      await expectProblem(await callback(provider, answer, flow.cookie), 400, "oauth_state_invalid");
    }
    // Apple answers by form POST: a GET callback may be refused for its mode before its state is looked at.
    const apple = await callback("apple", answer, flow.cookie);
    expect(apple.status).toBe(400);
    expect(["oauth_state_invalid", "invalid_request"]).toContain((await readJson(apple)).code);
    expect(fake.requests.some((request) => request.url.endsWith("/token"))).toBe(false);
    expect(redirectParameter(await callback("google", answer, flow.cookie), "code")).toBeTruthy();
  });

  it("a callback with both code and error is the error: no token request, no account, the flow spent", async () => {
    const person = oidcPerson();
    const flow = await startFlow("google");
    const answer = await fake.approve(flow.location, person);
    answer.set("error", "access_denied");
    const response = await callback("google", answer, flow.cookie);
    expect(response.status).toBe(302);
    expect(response.headers.get("Location")).toBe(`${SPA_REDIRECT}?error=oauth_access_denied`);
    expect(fake.requests.some((request) => request.url === `${ISSUERS.google}/token`)).toBe(false);
    expect(await userByEmail(person.email)).toBeNull();
    expect(await liveFlowByState(stateOf(flow.location))).toBe(0);
  });

  it("refuses states of the wrong length or characters, and a repeated state, consuming nothing", async () => {
    const flow = await startFlow("google");
    const answer = await fake.approve(flow.location, oidcPerson());
    const code = answer.get("code") ?? "";
    const state = stateOf(flow.location);
    for (const bad of [
      "",
      "A".repeat(129),
      "A".repeat(10_000),
      `${state}=`,
      `${state} `,
      state.slice(0, 42),
      `é${state.slice(1)}`,
      `${state}\u0000`,
    ]) {
      const response = await callback("google", new URLSearchParams({ code, state: bad }), flow.cookie);
      await expectProblem(response, 400, "oauth_state_invalid");
    }
    const repeated = await callManual("GET", `/v1/oauth/google/callback?code=${code}&state=${state}&state=${state}`, {
      headers: { Cookie: flow.cookie },
    });
    await expectProblem(repeated, 400, "invalid_request");
    const tooMany = new URLSearchParams(answer);
    for (let i = 0; i < 25; i += 1) tooMany.set(`junk${i}`, "x".repeat(400));
    await expectProblem(await callback("google", tooMany, flow.cookie), 400, "invalid_request");
    expect(await liveFlowByState(state)).toBe(1);
    expect(redirectParameter(await callback("google", answer, flow.cookie), "code")).toBeTruthy();
  });

  it("refuses a browser binding sent without the __Host- prefix (a cookie a sibling subdomain could plant)", async () => {
    const flow = await startFlow("google");
    const answer = await fake.approve(flow.location, oidcPerson());
    const value = flow.cookie.split("=")[1] ?? "";
    await expectProblem(await callback("google", answer, `oauth_flow=${value}`), 400, "oauth_state_invalid");
    await expectProblem(await callback("google", answer, `__host-oauth_flow=${value}`), 400, "oauth_state_invalid");
    expect(redirectParameter(await callback("google", answer, flow.cookie), "code")).toBeTruthy();
  });

  it("answers an unknown flow with a 400 problem document: JSON, no-store, no stack trace, no redirect", async () => {
    const response = await callback(
      "google",
      new URLSearchParams({ code: "c", state: "A".repeat(43) }),
      `__Host-oauth_flow=${"B".repeat(43)}`,
    );
    expectNoInternals(await response.clone().text());
    await expectProblem(response, 400, "oauth_state_invalid");
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(response.headers.get("Location")).toBeNull();
    const unconfigured = await callback("facebook", new URLSearchParams({ code: "c", state: "s" }), null);
    await expectProblem(unconfigured, 404, "oauth_provider_not_found");
  });

  it("a state-valid callback without a code, or with an empty one, sends the SPA an error, never a 500", async () => {
    for (const code of [null, ""]) {
      const flow = await startFlow("google");
      const parameters = new URLSearchParams({ state: stateOf(flow.location) });
      if (code !== null) parameters.set("code", code);
      const response = await callback("google", parameters, flow.cookie);
      expect(response.status).toBe(302);
      expect(redirectParameter(response, "error")).toBe("oauth_credential_invalid");
      expect(redirectParameter(response, "code")).toBeNull();
    }
  });

  it("checks iss where sent: a forged iss to Google, and a missing iss from a provider that promises it, are refused", async () => {
    const google = await startFlow("google");
    const forged = await fake.approve(google.location, oidcPerson(), { iss: "https://evil.test" });
    expect(redirectParameter(await callback("google", forged, google.cookie), "error")).toBe(
      "oauth_credential_invalid",
    );
    const acme = await startFlow("acme");
    const missing = await fake.approve(acme.location, oidcPerson(), { iss: null });
    missing.delete("iss");
    expect(redirectParameter(await callback("acme", missing, acme.cookie), "error")).toBe("oauth_credential_invalid");
    expect(fake.requests.some((request) => request.url.endsWith("/token"))).toBe(false);
  });

  it("refuses a POST callback of the wrong content type (415) or with non-string JSON values, consuming nothing", async () => {
    const flow = await startFlow("apple");
    const answer = await fake.approve(flow.location, oidcPerson({ email_verified: "true" }));
    const post = (options: Parameters<typeof callManual>[2]) =>
      callManual("POST", "/v1/oauth/apple/callback", {
        ...options,
        headers: { Cookie: flow.cookie, Origin: "https://appleid.apple.com", ...options?.headers },
      });
    for (const contentType of ["text/plain", "multipart/form-data; boundary=x", "application/xml"]) {
      const response = await post({ body: answer.toString(), contentType });
      await expectProblem(response, 415, "unsupported_media_type");
    }
    const arrays = await post({ json: { code: [answer.get("code")], state: [stateOf(flow.location)] } });
    await expectProblem(arrays, 400, "oauth_state_invalid");
    const repeated = await post({
      body: `${answer}&state=${stateOf(flow.location)}`,
      contentType: "application/x-www-form-urlencoded",
    });
    await expectProblem(repeated, 400, "invalid_request");
    expect(await liveFlowByState(stateOf(flow.location))).toBe(1);
    const done = await post({ form: Object.fromEntries(answer) });
    expect(redirectParameter(done, "code")).toBeTruthy();
  });

  it("refuses a POST (form_post) callback for a provider whose flow asked for a query response (Google), consuming nothing", async () => {
    const google = await startFlow("google");
    const googleAnswer = await fake.approve(google.location, oidcPerson());
    const posted = await callManual("POST", "/v1/oauth/google/callback", {
      form: Object.fromEntries(googleAnswer),
      headers: { Cookie: google.cookie },
    });
    expect(posted.status).toBeGreaterThanOrEqual(400);
    expect(redirectParameter(posted, "code")).toBeNull();
    expect(await liveFlowByState(stateOf(google.location))).toBe(1);
  });

  it("refuses a GET (query) callback for a provider whose flow asked for form_post (Apple), consuming nothing", async () => {
    const apple = await startFlow("apple");
    const appleAnswer = await fake.approve(apple.location, oidcPerson({ email_verified: "true" }));
    const queried = await callback("apple", appleAnswer, apple.cookie);
    expect(queried.status).toBeGreaterThanOrEqual(400);
    expect(redirectParameter(queried, "code")).toBeNull();
    expect(await liveFlowByState(stateOf(apple.location))).toBe(1);
  });

  /** A whole flow back to `withQuery`, an allowlisted redirect_to with a query of its own. */
  async function callbackTo(withQuery: string) {
    const bindings: Bindings = { ...env, OAUTH_REDIRECT_ALLOWLIST: `${SPA_REDIRECT},${withQuery}` };
    const { verifier, challenge } = await pkcePair();
    const started = await callWith(
      bindings,
      "GET",
      `/v1/oauth/google/authorize?${new URLSearchParams({ redirect_to: withQuery, code_challenge: challenge })}`,
    );
    expect(started.status).toBe(302);
    const cookie = (started.headers.get("Set-Cookie") ?? "").split(";")[0] ?? "";
    const answer = await fake.approve(started.headers.get("Location") ?? "", oidcPerson());
    const response = await callWith(bindings, "GET", `/v1/oauth/google/callback?${answer}`, {
      headers: { Cookie: cookie },
    });
    return { bindings, verifier, response };
  }

  it("redirects back to redirect_to keeping its own query byte for byte, adding only code (never a token)", async () => {
    const withQuery = "https://app.test/auth/callback?next=/home&tab=a%20b&flag";
    const { bindings, verifier, response } = await callbackTo(withQuery);
    expect(response.status).toBe(302);
    const location = response.headers.get("Location") ?? "";
    const url = new URL(location);
    expect([...url.searchParams.keys()]).toEqual(["next", "tab", "flag", "code"]);
    expect(location).not.toMatch(/access_token|refresh_token|id_token/);
    const code = url.searchParams.get("code") ?? "";
    const exchanged = await callWith(bindings, "POST", "/v1/oauth/token", {
      form: { grant_type: "authorization_code", code, code_verifier: verifier, redirect_uri: withQuery },
    });
    expect(exchanged.status).toBe(200);
    expect(location.slice(0, location.indexOf("&code=") + 1)).toBe(`${withQuery}&`);
  });

  it("takes back as redirect_uri the address the SPA landed on (minus code), when redirect_to has a query", async () => {
    const { bindings, verifier, response } = await callbackTo("https://app.test/auth/callback?next=/home");
    const location = response.headers.get("Location") ?? "";
    const code = new URL(location).searchParams.get("code") ?? "";
    // What the SPA's router sees, less the one parameter it takes out (a string edit, not a re-serialization).
    const landed = { href: location.replace(/[?&]code=[^&]*$/, "") };
    const exchanged = await callWith(bindings, "POST", "/v1/oauth/token", {
      form: { grant_type: "authorization_code", code, code_verifier: verifier, redirect_uri: landed.href },
    });
    expect({ status: exchanged.status, redirect_uri: landed.href, body: await readJson(exchanged) }).toMatchObject({
      status: 200,
    });
  });

  it("the success redirect carries only code, deletes the flow cookie, and sets no other cookie", async () => {
    const { response } = await signInCode(fake, "google", oidcPerson());
    const url = new URL(response.headers.get("Location") ?? "");
    expect(url.origin + url.pathname).toBe(SPA_REDIRECT);
    expect([...url.searchParams.keys()]).toEqual(["code"]);
    expect(url.searchParams.get("code")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(url.hash).toBe("");
    const cookies = response.headers.getSetCookie();
    expect(cookies).toHaveLength(1);
    expect(cookies[0]).toMatch(/^__Host-oauth_flow=; Max-Age=0; Path=\/;.*Secure/);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
  });
});
