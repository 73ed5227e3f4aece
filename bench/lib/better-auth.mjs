// The peer: Better Auth's email/password core on its own Worker and local D1 (bench/peers/better-auth,
// with its own package.json, installed there on the first `--peers` run).
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { runToCompletion } from "./children.mjs";
import { CONNECTIONS, measureScenario, profileScenario } from "./load.mjs";
import { BENCH_PASSWORD, callJson, getRequest, jsonRequest, SingleUsePool, uniqueEmail } from "./traffic.mjs";
import {
  applyLocalMigrations,
  makeTempDir,
  measureBundle,
  measureStartupProfile,
  PROJECT_ROOT,
  startDevServer,
} from "./wrangler.mjs";

export const PEER_DIR = join(PROJECT_ROOT, "bench/peers/better-auth");
// Better Auth checks Origin on POSTs against its baseURL (BETTER_AUTH_URL in the peer's wrangler.toml).
const ORIGIN_HEADER = { origin: "http://localhost:8787" };

export async function installPeer() {
  if (existsSync(join(PEER_DIR, "node_modules/better-auth/package.json"))) return;
  console.log("installing the Better Auth peer into bench/peers/better-auth (npm ci, first --peers run only)");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const result = await runToCompletion(npm, ["ci", "--no-audit", "--no-fund"], { cwd: PEER_DIR, timeoutMs: 600_000 });
  if (result.code !== 0) throw new Error(`npm ci in bench/peers/better-auth failed:\n${result.output.slice(-3000)}`);
}

export function peerVersion() {
  return JSON.parse(readFileSync(join(PEER_DIR, "node_modules/better-auth/package.json"), "utf8")).version;
}

function sessionCookie(headers) {
  const cookie = headers.getSetCookie().find((line) => line.startsWith("better-auth.session_token="));
  if (!cookie) throw new Error("Better Auth sign-up answered without a session cookie");
  return cookie.split(";")[0];
}

function signUpRequest(emails) {
  const request = jsonRequest(
    "POST",
    "/api/auth/sign-up/email",
    (context) => {
      context.email = uniqueEmail("peer-signup");
      return { email: context.email, password: BENCH_PASSWORD, name: "Bench User" };
    },
    () => ORIGIN_HEADER,
  );
  request.onResponse = (status, _body, context) => {
    if (status === 200) emails.give(context.email);
  };
  return request;
}

function signInRequest(emails) {
  return jsonRequest(
    "POST",
    "/api/auth/sign-in/email",
    () => ({ email: emails.take("nobody@bench.example.com"), password: BENCH_PASSWORD }),
    () => ORIGIN_HEADER,
  );
}

export async function benchBetterAuth(options) {
  await installPeer();
  // Built first and run as built, as edge-auth is: both servers run their deployable bundle.
  const bundle = await measureBundle({ config: "wrangler.toml", cwd: PEER_DIR });
  const persistTo = makeTempDir("better-auth");
  await applyLocalMigrations({ config: "wrangler.toml", persistTo, cwd: PEER_DIR });
  const secret = Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("hex");
  const server = await startDevServer({
    configs: ["wrangler.toml"],
    persistTo,
    vars: { BETTER_AUTH_SECRET: secret },
    cwd: PEER_DIR,
    prebuiltEntry: bundle.entry,
  });
  console.log(`Better Auth peer on ${server.origin}`);
  const scenarios = {};
  let profiles;
  try {
    const run = (scenario) => measureScenario({ origin: server.origin, devPid: server.pid, ...scenario });
    const setup = await callJson(server.origin, "POST", "/api/auth/sign-up/email", {
      json: { email: uniqueEmail("peer-setup"), password: BENCH_PASSWORD, name: "Bench User" },
      headers: ORIGIN_HEADER,
    });
    const cookie = sessionCookie(setup.headers);
    const emails = new SingleUsePool();
    const seconds = options.durationSeconds;
    scenarios.health = await run({
      name: "peer GET /health",
      requests: [getRequest("/health")],
      durationSeconds: seconds,
    });
    scenarios.get_session = await run({
      name: "peer GET /api/auth/get-session",
      requests: [getRequest("/api/auth/get-session", { cookie })],
      durationSeconds: seconds,
    });
    scenarios.sign_up = await run({
      name: "peer POST sign-up/email",
      requests: [signUpRequest(emails)],
      amount: options.hashRequests * 2,
      timeoutSeconds: 120,
    });
    scenarios.sign_in = await run({
      name: "peer POST sign-in/email",
      requests: [signInRequest(emails)],
      amount: Math.max(CONNECTIONS, emails.size - CONNECTIONS),
      timeoutSeconds: 120,
    });
    if (options.profile) {
      const profile = (scenario) => profileScenario({ origin: server.origin, devPid: server.pid, ...scenario });
      profiles = {
        health: await profile({ name: "peer GET /health", requests: [getRequest("/health")] }),
        get_session: await profile({
          name: "peer get-session",
          requests: [getRequest("/api/auth/get-session", { cookie })],
        }),
        sign_up: await profile({ name: "peer sign-up", requests: [signUpRequest(emails)], amount: 2 * CONNECTIONS }),
        sign_in: await profile({ name: "peer sign-in", requests: [signInRequest(emails)], amount: CONNECTIONS }),
      };
    }
  } finally {
    await server.stop();
  }
  const startupProfile = await measureStartupProfile({ config: "wrangler.toml", cwd: PEER_DIR });
  return {
    version: peerVersion(),
    startup: {
      spawn_to_first_200_ms: Math.round(server.spawnToReadyMs),
      first_response_ms: Math.round(server.firstResponseMs),
      profile: startupProfile,
    },
    bundle,
    scenarios,
    profiles,
  };
}
