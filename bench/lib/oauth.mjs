// Social-login scenarios (issue 12) against an OIDC provider outside the Worker (bench/lib/bench-idp.mjs,
// a generic provider on 127.0.0.1, as a real provider is another machine): the redirect flow's callback
// (flow consumed in D1, the provider's code redeemed over HTTP, its ID token verified against its
// JWKS, the account resolved, a sign-in code issued) and the SPA's code exchange at
// POST /v1/oauth/token, each beside a password-less token issue measured in the same run
// (POST /v1/token/refresh: a session's new pair, no scrypt). Target: each under 2× its CPU.
// Alone: `node bench/lib/oauth.mjs --duration 3` starts its own server and prints the figures.
import { createHash, randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { readOptions } from "./args.mjs";
import { startBenchIdp } from "./bench-idp.mjs";
import { refreshRequest, signUpOne, startEdgeAuth } from "./edge-auth.mjs";
import { measureScenario } from "./load.mjs";
import { getRequest, jsonRequest, mapLimited, nextClientIp, SingleUsePool } from "./traffic.mjs";

const SPA_REDIRECT = "http://localhost:5173/auth/callback";
/** The provider these scenarios sign in with; its `vars` go to the server it is used with. */
export const startOAuthIdp = () => startBenchIdp({ redirectAllowlist: SPA_REDIRECT });
/**
 * Flows prepared per scenario, just before it (a flow lives ten minutes). With 300, the callback's
 * ratio moved from 1.38 to 1.79 between two full runs of nearly the same code.
 */
const FLOWS = 600;

const b64url = (buffer) => buffer.toString("base64url");

async function send(origin, method, path, { form, headers = {} } = {}) {
  return fetch(`${origin}${path}`, {
    method,
    redirect: "manual",
    headers: { "cf-connecting-ip": nextClientIp(), ...headers },
    body: form ? new URLSearchParams(form) : undefined,
    signal: AbortSignal.timeout(30_000),
  });
}

/** One flow up to the callback: its path (with the provider's code), the flow cookie, the SPA's verifier. */
async function prepareCallback(origin) {
  const verifier = b64url(randomBytes(32));
  const challenge = b64url(createHash("sha256").update(verifier).digest());
  const query = new URLSearchParams({ redirect_to: SPA_REDIRECT, code_challenge: challenge });
  const started = await send(origin, "GET", `/v1/oauth/bench/authorize?${query}`);
  if (started.status !== 302) throw new Error(`authorize answered ${started.status}: ${await started.text()}`);
  const cookie = (started.headers.getSetCookie()[0] ?? "").split(";")[0];
  const approved = await fetch(started.headers.get("location"), { redirect: "manual" });
  if (approved.status !== 302) throw new Error(`the provider answered ${approved.status}`);
  const callback = new URL(approved.headers.get("location"));
  return { path: `${callback.pathname}${callback.search}`, cookie, verifier };
}

/**
 * Each request one prepared callback; the SPA's code from its redirect goes to `codes` with the
 * flow's verifier, and anything else (an `?error=` redirect, another status) to `refused`.
 */
function callbackRequest(callbacks, codes, refused) {
  return {
    method: "GET",
    path: "/v1/oauth/bench/callback",
    setupRequest: (req, context) => {
      const flow = callbacks.take(null);
      context.verifier = flow?.verifier;
      req.path = flow?.path ?? "/v1/oauth/bench/callback?state=pool-ran-dry";
      req.headers = { cookie: flow?.cookie ?? "", "cf-connecting-ip": nextClientIp() };
      return req;
    },
    onResponse: (status, _body, context, headers) => {
      const location = status === 302 ? locationOf(headers) : null;
      const answer = location ? new URL(location).searchParams : null;
      if (answer?.get("code")) codes.give({ code: answer.get("code"), verifier: context.verifier });
      else refused.push(answer?.get("error") ?? String(status));
    },
  };
}

/** autocannon hands onResponse the headers as an object keyed by their names as sent. */
function locationOf(headers) {
  for (const [name, value] of Object.entries(headers ?? {})) if (name.toLowerCase() === "location") return value;
  return null;
}

function exchangeRequest(codes) {
  return jsonRequest("POST", "/v1/oauth/token", () => {
    const { code, verifier } = codes.take({ code: "pool-ran-dry", verifier: "v".repeat(43) });
    return { grant_type: "authorization_code", code, code_verifier: verifier };
  });
}

/** The two scenarios and the refresh they are compared with, on a server started with the IdP's vars. */
export async function benchOAuth(run, origin) {
  const refreshTokens = new SingleUsePool();
  for (let n = 0; n < 20; n++) refreshTokens.give((await signUpOne(origin, "oauth-refresh")).refreshToken);
  const scenarios = {};
  scenarios.refresh_beside_oauth = await run({
    name: "POST /v1/token/refresh (beside social login)",
    requests: [refreshRequest(refreshTokens)],
    amount: FLOWS,
  });
  const callbacks = new SingleUsePool(await mapLimited([...Array(FLOWS).keys()], 10, () => prepareCallback(origin)));
  const codes = new SingleUsePool();
  const refused = [];
  const callback = callbackRequest(callbacks, codes, refused);
  // autocannon may build one request per connection beyond the count: a few flows stay unused.
  scenarios.oauth_callback = await run({
    name: "GET /v1/oauth/bench/callback",
    requests: [callback],
    amount: FLOWS - 10,
  });
  // A callback that did not sign in would measure a refusal: the run says so instead of a ratio.
  if (refused.length > 0) console.log(`  callbacks refused: ${refused.length} (${[...new Set(refused)].join(", ")})`);
  scenarios.oauth_code_exchange = await run({
    name: "POST /v1/oauth/token (authorization_code)",
    requests: [exchangeRequest(codes)],
    amount: Math.max(10, codes.size - 10),
  });
  return scenarios;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const options = readOptions(process.argv.slice(2));
  const idp = await startOAuthIdp();
  const server = await startEdgeAuth({ label: "oauth", vars: idp.vars });
  try {
    const run = (scenario) => measureScenario({ origin: server.origin, devPid: server.pid, ...scenario });
    const health = await run({
      name: "GET /health",
      requests: [getRequest("/health")],
      durationSeconds: options.durationSeconds,
    });
    const scenarios = await benchOAuth(run, server.origin);
    const cpu = (figure) => figure.cpu_ms_per_request.workerd;
    console.log(`health ${cpu(health)} ms/req`);
    for (const name of ["oauth_callback", "oauth_code_exchange"]) {
      console.log(
        `${name} / refresh (CPU): ${(cpu(scenarios[name]) / cpu(scenarios.refresh_beside_oauth)).toFixed(2)}`,
      );
      console.log(`${name} statuses: ${JSON.stringify(scenarios[name].statuses)}`);
    }
  } finally {
    await server.stop();
    await idp.close();
  }
}
