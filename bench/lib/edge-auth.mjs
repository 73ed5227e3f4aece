// edge-auth's scenarios against `wrangler dev` on a fresh local D1: the floor (/health), token
// verification, /v1/me, sign-up, login and refresh rotation, and API keys (bench/lib/api-keys.mjs).
import { benchApiKeys } from "./api-keys.mjs";
import { snapshotConfig } from "./bench-config.mjs";
import { COLD_TOKEN_COUNT, coldVerifyRequest, inTurn, mintSessionTokens } from "./cold-cache.mjs";
import { cremaLogInRequest, cremaSessionCheckRequest, cremaSignUpOne, cremaSignUpRequest } from "./dialects.mjs";
import { CONNECTIONS, measureScenario, profileScenario } from "./load.mjs";
import { benchOAuth, startOAuthIdp } from "./oauth.mjs";
import { runSoak } from "./soak.mjs";
import { BENCH_PASSWORD, callJson, getRequest, jsonRequest, SingleUsePool, uniqueEmail } from "./traffic.mjs";
import { applyLocalMigrations, makeTempDir, startDevServer } from "./wrangler.mjs";

// Better Auth's default: sign-up opens a session without a verified address. The same here, so
// sign-up answers tokens and login works at once (wrangler.toml's default is "required").
const BENCH_VARS = { EMAIL_VERIFICATION: "optional" };

/**
 * Starts edge-auth as `npm run dev` does (dev keys in .dev.vars), on a fresh persist dir. `--var`
 * reaches only the first config's Worker, so with a consumer in front edge-auth runs on .dev.vars
 * and wrangler.toml alone.
 */
export async function startEdgeAuth({ label, vars = {}, configs, probePath = "/health", prebuiltEntry, beforeStart }) {
  const persistTo = makeTempDir(label);
  await applyLocalMigrations({ config: "wrangler.toml", persistTo });
  // E.g. bench/lib/prefill.mjs filling the migrated D1 before the server opens it.
  if (beforeStart) await beforeStart(persistTo);
  // Alone, edge-auth runs on the bench's copy of its config (bench-config.mjs); beside a consumer,
  // the caller passes both configs.
  const own = configs ? null : snapshotConfig(prebuiltEntry);
  try {
    const server = await startDevServer({
      configs: configs ?? [own.config],
      persistTo,
      vars: own ? { ...BENCH_VARS, ...vars } : vars,
      probePath,
    });
    return { ...server, stop: () => server.stop().finally(() => own?.remove()) };
  } catch (error) {
    own?.remove();
    throw error;
  }
}

export async function signUpOne(origin, label) {
  const email = uniqueEmail(label);
  const { body } = await callJson(origin, "POST", "/v1/signup", { json: { email, password: BENCH_PASSWORD } });
  return { email, accessToken: body.access_token, refreshToken: body.refresh_token };
}

/** Sign-ups with unique e-mails; every answer's e-mail and refresh token go to the given pools. */
function signupRequest(label, emails, refreshTokens) {
  const request = jsonRequest("POST", "/v1/signup", (context) => {
    context.email = uniqueEmail(label);
    return { email: context.email, password: BENCH_PASSWORD };
  });
  request.onResponse = (status, body, context) => {
    if (status !== 201) return;
    emails.give(context.email);
    refreshTokens.give(JSON.parse(body).refresh_token);
  };
  return request;
}

/** Logins, each with an account from `emails` (one login per account, so no per-account limit bites). */
function loginRequest(emails, refreshTokens) {
  const request = jsonRequest("POST", "/v1/login", () => ({
    email: emails.take("nobody@bench.example.com"),
    password: BENCH_PASSWORD,
  }));
  request.onResponse = (status, body) => {
    if (status === 200) refreshTokens.give(JSON.parse(body).refresh_token);
  };
  return request;
}

// autocannon builds each connection's next request before it knows the run is over, so up to one
// e-mail per connection is taken but never sent: log in with that many fewer than were signed up.
function loginCount(emails) {
  return Math.max(CONNECTIONS, emails.size - CONNECTIONS);
}

/** Each refresh uses a token once and puts the rotated successor back: chains of real rotations. */
export function refreshRequest(refreshTokens) {
  const request = jsonRequest("POST", "/v1/token/refresh", () => ({
    refresh_token: refreshTokens.take("pool-ran-dry-this-token-is-invalid"),
  }));
  request.onResponse = (status, body) => {
    if (status === 200) refreshTokens.give(JSON.parse(body).refresh_token);
  };
  return request;
}

export function verifyRequest(accessToken) {
  return jsonRequest("POST", "/v1/token/verify", () => ({ token: accessToken }));
}

export function meRequest(accessToken) {
  return getRequest("/v1/me", { authorization: `Bearer ${accessToken}` });
}

/** The full set at the configured password policy, then the soak on the same server. */
export async function benchEdgeAuthDefault(options) {
  // The identity provider social login's scenarios sign in with (bench/lib/oauth.mjs).
  const idp = await startOAuthIdp();
  const server = await startEdgeAuth({
    label: "default",
    prebuiltEntry: options.prebuiltEntry,
    vars: idp.vars,
  }).catch(async (error) => {
    await idp.close();
    throw error;
  });
  console.log(`edge-auth (PASSWORD_SCRYPT from wrangler.toml) on ${server.origin}`);
  try {
    const run = (scenario) => measureScenario({ origin: server.origin, devPid: server.pid, ...scenario });
    const { accessToken } = await signUpOne(server.origin, "setup");
    const emails = new SingleUsePool();
    const refreshTokens = new SingleUsePool();
    const seconds = options.durationSeconds;
    const scenarios = {};
    scenarios.health = await run({ name: "GET /health", requests: [getRequest("/health")], durationSeconds: seconds });
    scenarios.token_verify = await run({
      name: "POST /v1/token/verify",
      requests: [verifyRequest(accessToken)],
      durationSeconds: seconds,
    });
    // Issue 16's worst case: every check a session no cache has seen.
    scenarios.token_verify_cold = await run({
      name: "POST /v1/token/verify (cold: a new session each request)",
      requests: [coldVerifyRequest(inTurn(await mintSessionTokens(accessToken, COLD_TOKEN_COUNT)))],
      durationSeconds: seconds,
    });
    scenarios.me = await run({ name: "GET /v1/me", requests: [meRequest(accessToken)], durationSeconds: seconds });
    scenarios.signup = await run({
      name: "POST /v1/signup",
      requests: [signupRequest("signup", emails, refreshTokens)],
      amount: options.hashRequests,
      timeoutSeconds: 120,
    });
    scenarios.login = await run({
      name: "POST /v1/login",
      requests: [loginRequest(emails, refreshTokens)],
      amount: loginCount(emails),
      timeoutSeconds: 120,
    });
    scenarios.refresh = await run({
      name: "POST /v1/token/refresh",
      requests: [refreshRequest(refreshTokens)],
      durationSeconds: seconds,
    });
    Object.assign(scenarios, await benchDialects(run, server.origin, options));
    Object.assign(scenarios, await benchApiKeys(run, server.origin, accessToken, options));
    Object.assign(scenarios, await benchOAuth(run, server.origin));
    const profiles = options.profile ? await profileEdgeAuth(server, accessToken, refreshTokens) : undefined;
    const soak = options.soakSeconds > 0 ? await runSoak({ server, accessToken, refreshTokens, options }) : null;
    return {
      profiles,
      startup: {
        spawn_to_first_200_ms: Math.round(server.spawnToReadyMs),
        first_response_ms: Math.round(server.firstResponseMs),
      },
      scenarios,
      soak,
    };
  } finally {
    await server.stop();
    await idp.close();
  }
}

/** A dialect's session check beside /v1/me, and its sign-up and login (crema's, issue 11). */
async function benchDialects(run, origin, options) {
  const { token } = await cremaSignUpOne(origin, "crema-setup");
  const emails = new SingleUsePool();
  const scenarios = {};
  scenarios.me_beside_dialects = await run({
    name: "GET /v1/me (again, beside the dialects)",
    requests: [meRequest((await signUpOne(origin, "me-again")).accessToken)],
    durationSeconds: options.durationSeconds,
  });
  scenarios.crema_session_check = await run({
    name: "GET /api/v1/auth (crema)",
    requests: [cremaSessionCheckRequest(token)],
    durationSeconds: options.durationSeconds,
  });
  scenarios.crema_signup = await run({
    name: "POST /api/v1/users (crema)",
    requests: [cremaSignUpRequest("crema", emails)],
    amount: options.hashRequests,
    timeoutSeconds: 120,
  });
  scenarios.crema_login = await run({
    name: "POST /api/v1/auth (crema)",
    requests: [cremaLogInRequest(emails)],
    amount: loginCount(emails),
    timeoutSeconds: 120,
  });
  return scenarios;
}

async function profileEdgeAuth(server, accessToken, refreshTokens) {
  const profile = (scenario) => profileScenario({ origin: server.origin, devPid: server.pid, ...scenario });
  const emails = new SingleUsePool();
  return {
    health: await profile({ name: "GET /health", requests: [getRequest("/health")] }),
    token_verify: await profile({ name: "POST /v1/token/verify", requests: [verifyRequest(accessToken)] }),
    me: await profile({ name: "GET /v1/me", requests: [meRequest(accessToken)] }),
    refresh: await profile({ name: "POST /v1/token/refresh", requests: [refreshRequest(refreshTokens)] }),
    signup: await profile({
      name: "POST /v1/signup",
      requests: [signupRequest("profile", emails, refreshTokens)],
      amount: 2 * CONNECTIONS,
    }),
    login: await profile({
      name: "POST /v1/login",
      requests: [loginRequest(emails, refreshTokens)],
      amount: CONNECTIONS,
    }),
  };
}

/** Sign-up and login at Better Auth's scrypt parameters (N=16384, r=16, p=1), to compare like with like. */
export async function benchEdgeAuthAtPeerHash(options, passwordScrypt) {
  const server = await startEdgeAuth({
    label: "peer-hash",
    vars: { PASSWORD_SCRYPT: passwordScrypt },
    prebuiltEntry: options.prebuiltEntry,
  });
  console.log(`edge-auth (PASSWORD_SCRYPT=${passwordScrypt}) on ${server.origin}`);
  try {
    const run = (scenario) => measureScenario({ origin: server.origin, devPid: server.pid, ...scenario });
    const emails = new SingleUsePool();
    const refreshTokens = new SingleUsePool();
    const scenarios = {};
    scenarios.health = await run({
      name: "GET /health",
      requests: [getRequest("/health")],
      durationSeconds: Math.min(5, options.durationSeconds),
    });
    const amount = options.hashRequests * 2;
    scenarios.signup = await run({
      name: `POST /v1/signup (${passwordScrypt})`,
      requests: [signupRequest("signup-peer-hash", emails, refreshTokens)],
      amount,
      timeoutSeconds: 120,
    });
    scenarios.login = await run({
      name: `POST /v1/login (${passwordScrypt})`,
      requests: [loginRequest(emails, refreshTokens)],
      amount: loginCount(emails),
      timeoutSeconds: 120,
    });
    // An access token for the RPC session, whose edge-auth cannot sign up without verification.
    const { accessToken } = await signUpOne(server.origin, "token-for-rpc");
    return { password_scrypt: passwordScrypt, scenarios, accessToken };
  } finally {
    await server.stop();
  }
}
