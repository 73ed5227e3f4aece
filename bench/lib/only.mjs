// `--only a,b`: a short run of the named scenarios alone, for before/after comparisons of one change
// without the 20-minute full run: the verify-related ones and /v1/me (issue 16's ratios) and the user
// import's (issue 15: `import`, `first_login`). Its figures go to `--out` like a full run's, with the ratios it
// can compute; nothing else of the full run is measured.

import { snapshotConfig } from "./bench-config.mjs";
import { COLD_TOKEN_COUNT, coldVerifyRequest, inTurn, mintSessionTokens } from "./cold-cache.mjs";
import { meRequest, signUpOne, startEdgeAuth, verifyRequest } from "./edge-auth.mjs";
import { measureScenario, profileScenario } from "./load.mjs";
import { printUserImport, userImportDerived } from "./report.mjs";
import { getRequest } from "./traffic.mjs";
import { benchUserImport, IMPORT_SCENARIOS } from "./user-import.mjs";

/** The scenarios `--only` may name: on edge-auth's own server, beside the RPC consumer, the user import. */
export const ONLY_SCENARIOS = {
  edge_auth: ["health", "token_verify", "token_verify_cold", "me"],
  rpc: ["consumer_noop", "rpc_floor", "rpc_verify", "bare_jose_verify"],
  user_import: IMPORT_SCENARIOS,
};

const round = (value) => (Number.isFinite(value) ? Number(value.toFixed(3)) : null);
const cpu = (figure) => figure?.cpu_ms_per_request?.workerd ?? Number.NaN;
const rps = (figure) => figure?.req_per_s ?? Number.NaN;

export function parseOnly(text) {
  if (text === undefined) return null;
  const names = text.split(",").map((name) => name.trim());
  const known = Object.values(ONLY_SCENARIOS).flat();
  const unknown = names.filter((name) => !known.includes(name));
  if (unknown.length > 0 || names.length === 0) {
    throw new Error(`--only takes a comma-separated list of: ${known.join(", ")} (unknown: ${unknown.join(", ")})`);
  }
  return names;
}

async function onEdgeAuth(options, only) {
  const server = await startEdgeAuth({ label: "only", prebuiltEntry: options.prebuiltEntry });
  console.log(`edge-auth on ${server.origin}`);
  try {
    const run = (scenario) => measureScenario({ origin: server.origin, devPid: server.pid, ...scenario });
    const { accessToken } = await signUpOne(server.origin, "only");
    const durationSeconds = options.durationSeconds;
    const scenarios = {};
    const requestsOf = {
      health: async () => [getRequest("/health")],
      token_verify: async () => [verifyRequest(accessToken)],
      token_verify_cold: async () => [
        coldVerifyRequest(inTurn(await mintSessionTokens(accessToken, COLD_TOKEN_COUNT))),
      ],
      me: async () => [meRequest(accessToken)],
    };
    for (const name of ONLY_SCENARIOS.edge_auth.filter((entry) => only.includes(entry))) {
      scenarios[name] = await run({ name, requests: await requestsOf[name](), durationSeconds });
    }
    const profiles = {};
    if (options.profile && only.includes("token_verify")) {
      profiles.token_verify = await profileScenario({
        origin: server.origin,
        devPid: server.pid,
        name: "POST /v1/token/verify",
        requests: [verifyRequest(accessToken)],
      });
    }
    return { scenarios, profiles, accessToken };
  } finally {
    await server.stop();
  }
}

async function besideConsumer(options, only, accessToken) {
  const edgeAuthConfig = snapshotConfig(options.prebuiltEntry);
  const server = await startEdgeAuth({
    label: "only-rpc",
    configs: ["bench/rpc-consumer/wrangler.toml", edgeAuthConfig.config],
    probePath: "/noop",
  }).catch((error) => {
    edgeAuthConfig.remove();
    throw error;
  });
  console.log(`consumer Worker + edge-auth on ${server.origin}`);
  try {
    const bearer = { authorization: `Bearer ${accessToken}` };
    const paths = { consumer_noop: "/noop", rpc_floor: "/rpc-floor", rpc_verify: "/verify", bare_jose_verify: "/bare" };
    const scenarios = {};
    for (const name of ONLY_SCENARIOS.rpc.filter((entry) => only.includes(entry))) {
      scenarios[name] = await measureScenario({
        origin: server.origin,
        devPid: server.pid,
        name,
        requests: [getRequest(paths[name], bearer)],
        durationSeconds: options.durationSeconds,
      });
    }
    const profiles = {};
    if (options.profile && only.includes("rpc_verify")) {
      profiles.rpc_verify = await profileScenario({
        origin: server.origin,
        devPid: server.pid,
        name: "consumer -> AUTH.verifyToken",
        requests: [getRequest("/verify", bearer)],
      });
    }
    return { scenarios, profiles };
  } finally {
    await server.stop();
    edgeAuthConfig.remove();
  }
}

const none = { scenarios: {}, profiles: {} };

/** Runs the named scenarios; the RPC ones use a token issued by the edge-auth session (same dev keys). */
export async function benchOnly(options) {
  const only = options.only;
  const wants = (group) => ONLY_SCENARIOS[group].some((name) => only.includes(name));
  const edgeAuth = wants("edge_auth") || wants("rpc") ? await onEdgeAuth(options, only) : none;
  const rpc = wants("rpc") ? await besideConsumer(options, only, edgeAuth.accessToken) : none;
  const userImport = wants("user_import") ? await benchUserImport(options, only) : undefined;
  const main = edgeAuth.scenarios;
  const derived = {
    verify_throughput_share_of_health: round(rps(main.token_verify) / rps(main.health)),
    verify_cold_throughput_share_of_health: round(rps(main.token_verify_cold) / rps(main.health)),
    verify_cpu_beyond_health_ms: round(cpu(main.token_verify) - cpu(main.health)),
    rpc_vs_bare_cpu_per_request_ratio: round(cpu(rpc.scenarios.rpc_verify) / cpu(rpc.scenarios.bare_jose_verify)),
    // The hop alone (a call refused before any work) over the bare verify: what no verifier can go under.
    rpc_floor_vs_bare_cpu_per_request_ratio: round(cpu(rpc.scenarios.rpc_floor) / cpu(rpc.scenarios.bare_jose_verify)),
    rpc_vs_bare_beyond_noop_ratio: round(
      (cpu(rpc.scenarios.rpc_verify) - cpu(rpc.scenarios.consumer_noop)) /
        (cpu(rpc.scenarios.bare_jose_verify) - cpu(rpc.scenarios.consumer_noop)),
    ),
  };
  for (const [name, value] of Object.entries(derived)) if (value !== null) console.log(`  ${name}: ${value}`);
  if (userImport) {
    derived.user_import = userImportDerived(userImport);
    printUserImport(userImport);
  }
  return {
    edge_auth: { scenarios: main, profiles: edgeAuth.profiles },
    rpc,
    ...(userImport ? { user_import: userImport } : {}),
    derived,
  };
}
