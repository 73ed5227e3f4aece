// The built-in dev identity provider (OAUTH_DEV_PROVIDER, issue 12): the whole redirect flow through
// /dev/idp's consent page with outbound fetch refused (nothing leaves the Worker), the token
// endpoint's checks as attacks (wrong verifier, client, redirect_uri, replay, parallel redemption),
// no open redirect and no markup from a query, and refused when not in dev: absent without the
// switch, and a non-local ISSUER (production) refuses the config.
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { deployProblems } from "../scripts/deploy-check-rules.mjs";
import type { Bindings } from "../src/bindings";
import production from "../src/index";
import { claimsOf } from "./support/accounts";
import { refusalOf } from "./support/config";
import { callWith, expectProblem, readJson } from "./support/http";
import { countWhere, identitiesOf, pkcePair, SPA_REDIRECT, userByEmail } from "./support/oauth";

/** One object for every call, so the Worker builds its context (and the dev provider) once. */
const DEV: Bindings = { ...env, OAUTH_DEV_PROVIDER: "true" };
const CALLBACK = "https://auth.test/v1/oauth/dev/callback";

let outbound: ReturnType<typeof vi.spyOn>;
beforeEach(() => {
  // The dev provider answers in process: any real outbound request fails the flow, and is counted.
  outbound = vi.spyOn(globalThis, "fetch").mockRejectedValue(new TypeError("no network in this test"));
});
afterEach(() => {
  vi.restoreAllMocks();
});

const dev = (method: string, path: string, options: Parameters<typeof callWith>[3] = {}) =>
  callWith(DEV, method, path, options);
const pathOf = (location: string) => {
  const url = new URL(location);
  return `${url.pathname}${url.search}`;
};

/** Up to the consent page: the SPA's verifier, the flow cookie, and the authorize query the page shows. */
async function startDevFlow(redirectTo = SPA_REDIRECT) {
  const { verifier, challenge } = await pkcePair();
  const query = new URLSearchParams({ redirect_to: redirectTo, code_challenge: challenge });
  const started = await dev("GET", `/v1/oauth/dev/authorize?${query}`);
  expect(started.status).toBe(302);
  const location = started.headers.get("Location") ?? "";
  expect(location.startsWith("https://auth.test/dev/idp/authorize?")).toBe(true);
  const cookie = (started.headers.get("Set-Cookie") ?? "").split(";")[0] ?? "";
  return { verifier, cookie, authorize: Object.fromEntries(new URL(location).searchParams) };
}

/** The consent form sent back with `email`: the 302 to the callback. */
const consent = (authorize: Record<string, string>, email: string) =>
  dev("POST", "/dev/idp/authorize", { form: { ...authorize, email } });

/** The whole flow for `email`, to the sign-in code the SPA receives and its verifier. */
async function signInCodeFor(email: string) {
  const flow = await startDevFlow();
  const approved = await consent(flow.authorize, email);
  expect(approved.status).toBe(302);
  const back = await dev("GET", pathOf(approved.headers.get("Location") ?? ""), { headers: { Cookie: flow.cookie } });
  expect(back.status).toBe(302);
  const spa = new URL(back.headers.get("Location") ?? "");
  expect(`${spa.origin}${spa.pathname}`).toBe(SPA_REDIRECT);
  return { code: spa.searchParams.get("code") ?? "", verifier: flow.verifier };
}

const exchange = (code: string, verifier: string) =>
  dev("POST", "/v1/oauth/token", { form: { grant_type: "authorization_code", code, code_verifier: verifier } });

/** A fresh dev code at the consent step, for the token endpoint's own checks. */
async function devCode(email = "alice@example.com") {
  const flow = await startDevFlow();
  const approved = await consent(flow.authorize, email);
  const location = new URL(approved.headers.get("Location") ?? "");
  return { code: location.searchParams.get("code") ?? "", authorize: flow.authorize };
}

describe("the redirect flow against the dev provider", () => {
  it("consent page, callback, code exchange: tokens for the chosen address, offline", async () => {
    const flow = await startDevFlow();
    const page = await dev("GET", pathOf(`https://auth.test/dev/idp/authorize?${new URLSearchParams(flow.authorize)}`));
    expect(page.status).toBe(200);
    expect(page.headers.get("Content-Security-Policy")).toContain("form-action 'self' https://app.test");
    const html = await page.text();
    expect(html).toContain("Sign in as dev@example.com");
    expect(html).not.toMatch(/<script/i);

    const email = `dev-${crypto.randomUUID()}@example.com`;
    const approved = await consent(flow.authorize, email);
    const callback = new URL(approved.headers.get("Location") ?? "");
    expect(`${callback.origin}${callback.pathname}`).toBe(CALLBACK);
    expect(callback.searchParams.get("state")).toBe(flow.authorize.state);
    expect(callback.searchParams.get("iss")).toBe("https://auth.test/dev/idp");
    const back = await dev("GET", pathOf(callback.href), { headers: { Cookie: flow.cookie } });
    const code = new URL(back.headers.get("Location") ?? "").searchParams.get("code") ?? "";
    const tokens = await exchange(code, flow.verifier);
    expect(tokens.status).toBe(200);
    const { access_token } = await readJson<{ access_token: string }>(tokens);
    const user = await userByEmail(email);
    expect(user?.email_verified).toBe(1);
    expect(claimsOf(access_token)).toMatchObject({ sub: user?.id, email, amr: ["fed"] });
    expect(await identitiesOf(user?.id ?? "")).toMatchObject([{ provider: "dev", email }]);
    expect(outbound).not.toHaveBeenCalled();
  });

  it("the same address again is the same account (a stable subject); the SPA's code works once", async () => {
    const email = `again-${crypto.randomUUID()}@example.com`;
    const first = await signInCodeFor(email);
    expect((await exchange(first.code, first.verifier)).status).toBe(200);
    expect((await exchange(first.code, first.verifier)).status).toBe(400);
    const second = await signInCodeFor(email);
    const { access_token } = await readJson<{ access_token: string }>(await exchange(second.code, second.verifier));
    expect(claimsOf(access_token).sub).toBe((await userByEmail(email))?.id);
    expect(await countWhere("select count(*) as n from identities where provider = 'dev' and email = ?", email)).toBe(
      1,
    );
  });
});

describe("the dev token endpoint", () => {
  const redeem = (fields: Record<string, string>) => dev("POST", "/dev/idp/token", { form: fields });
  const good = (code: string, verifier: string) => ({
    grant_type: "authorization_code",
    code,
    redirect_uri: CALLBACK,
    client_id: "edge-auth-dev",
    client_secret: "edge-auth-dev-client",
    code_verifier: verifier,
  });

  it("refuses a wrong verifier and spends the code; a wrong client is invalid_client", async () => {
    const { code } = await devCode();
    const wrong = await redeem(good(code, "w".repeat(43)));
    expect(wrong.status).toBe(400);
    expect(await readJson(wrong)).toEqual({ error: "invalid_grant" });
    const other = await devCode();
    const client = await redeem({ ...good(other.code, "w".repeat(43)), client_secret: "guess" });
    expect(client.status).toBe(401);
    expect(await readJson(client)).toEqual({ error: "invalid_client" });
  });

  it("refuses another redirect_uri, a missing verifier and an unknown code", async () => {
    for (const change of [{ redirect_uri: SPA_REDIRECT }, { code_verifier: "" }, { code: "made-up" }]) {
      const { code } = await devCode();
      const answer = await redeem({ ...good(code, "v".repeat(43)), ...change });
      expect(await readJson(answer)).toEqual({ error: "invalid_grant" });
    }
  });

  it("a callback whose code was replayed or never issued is refused with nothing created", async () => {
    const users = await countWhere("select count(*) as n from users");
    const flow = await startDevFlow();
    const forged = new URLSearchParams({
      code: "forged",
      state: flow.authorize.state ?? "",
      iss: "https://auth.test/dev/idp",
    });
    const back = await dev("GET", `/v1/oauth/dev/callback?${forged}`, { headers: { Cookie: flow.cookie } });
    expect(new URL(back.headers.get("Location") ?? "").searchParams.get("error")).toBe("oauth_credential_invalid");
    expect(await countWhere("select count(*) as n from users")).toBe(users);
  });
});

describe("replays in parallel", () => {
  it("one callback of three with the same dev code signs in; one of three SPA code exchanges answers tokens", async () => {
    const flow = await startDevFlow();
    const approved = await consent(flow.authorize, `race-${crypto.randomUUID()}@example.com`);
    const callback = pathOf(approved.headers.get("Location") ?? "");
    const backs = await Promise.all([1, 2, 3].map(() => dev("GET", callback, { headers: { Cookie: flow.cookie } })));
    // The flow is consumed once in D1: the others find no flow (400 oauth_state_invalid, no redirect).
    expect(backs.map((back) => back.status).sort()).toEqual([302, 400, 400]);
    const codes = backs.map((back) => {
      const location = back.headers.get("Location");
      return location ? new URL(location).searchParams.get("code") : null;
    });
    const code = codes.find(Boolean) ?? "";
    const answers = await Promise.all([1, 2, 3].map(() => exchange(code, flow.verifier)));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 400, 400]);
  });
});

describe("no open redirect, no markup", () => {
  it("refuses another redirect_uri or client on the page itself, on GET and on POST, never redirecting", async () => {
    const { authorize } = await startDevFlow();
    const changes: Record<string, string>[] = [
      { redirect_uri: "https://evil.test/callback" },
      { redirect_uri: SPA_REDIRECT },
      { redirect_uri: `${CALLBACK}?x=1` },
      { client_id: "someone-else" },
      { code_challenge_method: "plain" },
    ];
    for (const change of changes) {
      const query = new URLSearchParams({ ...authorize, ...change });
      const page = await dev("GET", `/dev/idp/authorize?${query}`);
      expect(page.status).toBe(400);
      expect(page.headers.get("Location")).toBeNull();
      const posted = await consent({ ...authorize, ...change }, "alice@example.com");
      expect(posted.status).toBe(400);
      expect(posted.headers.get("Location")).toBeNull();
    }
  });

  it("escapes what the query carries, and refuses an address that is not one", async () => {
    const { authorize } = await startDevFlow();
    const state = `"><script>alert(1)</script>`;
    const page = await dev("GET", `/dev/idp/authorize?${new URLSearchParams({ ...authorize, state })}`);
    const html = await page.text();
    expect(html).not.toContain("<script>");
    expect(html).toContain("&quot;&gt;&lt;script&gt;");
    const refused = await consent(authorize, "not an address");
    expect(refused.status).toBe(400);
    expect(refused.headers.get("Location")).toBeNull();
  });
});

describe("refused when not in dev", () => {
  it("without OAUTH_DEV_PROVIDER every /dev/idp path is an unknown one and `dev` no provider", async () => {
    await expectProblem(await callWith(env, "GET", "/dev/idp/jwks"), 404, "not_found");
    await expectProblem(await callWith(env, "GET", "/dev/idp/.well-known/openid-configuration"), 404, "not_found");
    await expectProblem(await callWith(env, "GET", "/dev/idp/authorize?client_id=edge-auth-dev"), 404, "not_found");
    await expectProblem(await callWith(env, "POST", "/dev/idp/token", { form: { code: "x" } }), 404, "not_found");
    const { challenge } = await pkcePair();
    const query = new URLSearchParams({ redirect_to: SPA_REDIRECT, code_challenge: challenge });
    await expectProblem(
      await callWith(env, "GET", `/v1/oauth/dev/authorize?${query}`),
      404,
      "oauth_provider_not_found",
    );
  });

  it("the deployable entry (src/index.ts) has no /dev/idp, even with OAUTH_DEV_PROVIDER on", async () => {
    // scripts/bundle-size.mjs checks that none of the provider's modules are in its bundle either.
    for (const path of ["/dev/idp/jwks", "/dev/idp/.well-known/openid-configuration", "/dev/idp/authorize"]) {
      await expectProblem(await callWith(DEV, "GET", path, {}, production), 404, "not_found");
    }
    await expectProblem(
      await callWith(DEV, "POST", "/dev/idp/token", { form: { code: "x" } }, production),
      404,
      "not_found",
    );
    expect(outbound).not.toHaveBeenCalled();
  });

  it("a non-local ISSUER refuses the config; so do a bad value and a generic provider named dev", () => {
    const production = { OAUTH_DEV_PROVIDER: "true", ISSUER: "https://auth.example.com" };
    expect(refusalOf(production)).toMatch(/OAUTH_DEV_PROVIDER may only be true when ISSUER is local/);
    expect(refusalOf({ OAUTH_DEV_PROVIDER: "yes" })).toMatch(/OAUTH_DEV_PROVIDER must be true or false/);
    const clash = { OAUTH_DEV_PROVIDER: "true", OAUTH_OIDC_PROVIDERS: "dev=https://idp.test" };
    expect(refusalOf({ ...clash, OAUTH_DEV_CLIENT_ID: "x", OAUTH_DEV_CLIENT_SECRET: "y" })).toMatch(/names dev/);
  });

  it("deploy-check refuses OAUTH_DEV_PROVIDER=true in [vars]", () => {
    const problems = deployProblems({ vars: { OAUTH_DEV_PROVIDER: "true" } }, null);
    expect(problems.some((problem) => problem.startsWith("OAUTH_DEV_PROVIDER=true"))).toBe(true);
  });
});
