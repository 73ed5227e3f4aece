// Turns the raw figures into the ratios and targets of issue 5 (and issue 15's import figures),
// prints them, and writes the JSON.
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";

const round = (value, digits = 3) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : null);
const cpu = (figure) => figure?.cpu_ms_per_request?.workerd ?? Number.NaN;
const rps = (figure) => figure?.req_per_s ?? Number.NaN;

/** Worker CPU of a hashing route beyond the hash: (route − its floor) − (scrypt probe − probe floor). */
function beyondHash(route, routeFloor, probe, probeFloor) {
  const routeCpu = cpu(route) - cpu(routeFloor);
  const hashCpu = cpu(probe) - cpu(probeFloor);
  return {
    route_cpu_ms: round(routeCpu),
    hash_cpu_ms: round(hashCpu),
    beyond_hash_cpu_ms: round(routeCpu - hashCpu),
    beyond_hash_share: round((routeCpu - hashCpu) / routeCpu),
  };
}

// Workers' CPU limits per request: Free allows 10 ms; Paid 30 s by default (configurable to 5 min).
const FREE_PLAN_CPU_MS = 10;
const PAID_PLAN_DEFAULT_CPU_MS = 30_000;

/** Issue 15's figures in a line each, and which first logins fit which plan's CPU limit. */
export function userImportDerived(userImport) {
  const formats = Object.entries(userImport?.first_login?.formats ?? {});
  const median = Object.fromEntries(formats.map(([key, figure]) => [key, figure.cpu_ms.median]));
  return {
    import_rows_per_s: userImport?.import?.rows_per_s ?? null,
    first_login_cpu_ms_median: median,
    first_logins_over_free_plan_cpu: formats.filter(([, f]) => f.cpu_ms.median > FREE_PLAN_CPU_MS).map(([k]) => k),
    first_logins_over_paid_default_cpu: formats
      .filter(([, f]) => f.cpu_ms.median > PAID_PLAN_DEFAULT_CPU_MS)
      .map(([k]) => k),
  };
}

export function printUserImport(userImport) {
  const { import: bulk, first_login: firstLogin } = userImport;
  if (bulk) {
    console.log(
      `\nImport: ${bulk.rows_per_s} rows/s (${bulk.rows} rows, batches of ${bulk.batch_rows}, ${bulk.concurrency} in flight; ` +
        `${bulk.batch_ms.p50} ms a batch, p95 ${bulk.batch_ms.p95}; background cores ${bulk.background_cpu_cores})`,
    );
  }
  if (firstLogin) {
    console.log(
      `\nFirst login per format (median workerd CPU ms of ${firstLogin.logins_per_format}; ${firstLogin.method}):`,
    );
    for (const figure of Object.values(firstLogin.formats)) {
      const plan = figure.cpu_ms.median > FREE_PLAN_CPU_MS ? "needs Paid" : "fits Free";
      console.log(
        `  ${figure.label.padEnd(40)} ${String(figure.cpu_ms.median).padStart(8)}  beyond ours ${String(figure.cpu_ms_beyond_ours).padStart(7)}  ${plan}`,
      );
    }
    console.log(
      `  (idle workerd ${firstLogin.idle_workerd_cpu_ms_per_s} ms/s; schedstat/ticks ${firstLogin.precise_over_ticks};` +
        ` background cores ${firstLogin.background_cpu_cores})`,
    );
  }
}

function target(name, value, limit, comparison, note) {
  const met = Number.isFinite(value) ? (comparison === "<=" ? value <= limit : value >= limit) : null;
  return { name, value: round(value), target: `${comparison} ${round(limit)}`, met, note };
}

export function computeDerived(results) {
  const main = results.edge_auth.scenarios;
  const peerHash = results.edge_auth_at_peer_hash?.scenarios;
  const rpc = results.rpc?.scenarios;
  const peer = results.better_auth?.scenarios;
  const derived = {};
  if (rpc) {
    derived.rpc_vs_bare = {
      cpu_per_request_ratio: round(cpu(rpc.rpc_verify) / cpu(rpc.bare_jose_verify)),
      p50_latency_ratio: round(rpc.rpc_verify.latency_ms.p50 / rpc.bare_jose_verify.latency_ms.p50),
      throughput_ratio_bare_over_rpc: round(rps(rpc.bare_jose_verify) / rps(rpc.rpc_verify)),
      marginal_cpu_over_noop_ratio: round(
        (cpu(rpc.rpc_verify) - cpu(rpc.consumer_noop)) / (cpu(rpc.bare_jose_verify) - cpu(rpc.consumer_noop)),
      ),
    };
    derived.login_beyond_hash = beyondHash(main.login, main.health, rpc.scrypt_default, rpc.consumer_noop);
    derived.signup_beyond_hash = beyondHash(main.signup, main.health, rpc.scrypt_default, rpc.consumer_noop);
    if (peerHash) {
      derived.login_beyond_hash_at_peer_params = beyondHash(
        peerHash.login,
        peerHash.health,
        rpc.scrypt_peer_params_32,
        rpc.consumer_noop,
      );
      derived.signup_beyond_hash_at_peer_params = beyondHash(
        peerHash.signup,
        peerHash.health,
        rpc.scrypt_peer_params_32,
        rpc.consumer_noop,
      );
    }
    if (peer) {
      derived.peer_sign_in_beyond_hash = beyondHash(
        peer.sign_in,
        peer.health,
        rpc.scrypt_peer_params_64,
        rpc.consumer_noop,
      );
      derived.peer_sign_up_beyond_hash = beyondHash(
        peer.sign_up,
        peer.health,
        rpc.scrypt_peer_params_64,
        rpc.consumer_noop,
      );
    }
  }
  // The same question asked of the Worker's own isolate, from the profiles: local D1/KV simulators and
  // the dev floor run in other isolates and drop out.
  const hashShare = (profiles, key, worker) => profiles?.[key]?.workers?.[worker]?.password_hash_share;
  const beyond = (share) => (share === undefined ? undefined : round(1 - share));
  derived.profiled_beyond_hash_share_in_worker_isolate = {
    login: beyond(hashShare(results.edge_auth.profiles, "login", "core:user:edge-auth")),
    signup: beyond(hashShare(results.edge_auth.profiles, "signup", "core:user:edge-auth")),
    peer_sign_in: beyond(hashShare(results.better_auth?.profiles, "sign_in", "core:user:better-auth-peer")),
    peer_sign_up: beyond(hashShare(results.better_auth?.profiles, "sign_up", "core:user:better-auth-peer")),
  };
  derived.verify_throughput_share_of_health = round(rps(main.token_verify) / rps(main.health));
  if (main.token_verify_cold) {
    // Issue 16: the same check when no cache holds the session (a KV read each), reported beside the warm one.
    derived.cold_cache = {
      verify_cold_throughput_share_of_health: round(rps(main.token_verify_cold) / rps(main.health)),
      verify_cold_cpu_over_warm: round(cpu(main.token_verify_cold) / cpu(main.token_verify)),
      me_cold_cpu_over_warm_prefilled: round(
        cpu(results.prefilled_db?.prefilled?.me_cold) / cpu(results.prefilled_db?.prefilled?.me),
      ),
    };
  }
  if (main.crema_session_check) {
    // /v1/me measured right beside it, so both see the same server state (issue 11: at most 1.1×).
    derived.dialect_session_check_cpu_over_me = round(cpu(main.crema_session_check) / cpu(main.me_beside_dialects));
    derived.dialect_login_cpu_over_native = round(cpu(main.crema_login) / cpu(main.login));
  }
  if (results.dialect_bundle_gzip_bytes) derived.dialect_bundle_gzip_bytes = results.dialect_bundle_gzip_bytes;
  if (results.social_login_gzip_bytes) derived.social_login_gzip_bytes = results.social_login_gzip_bytes;
  derived.me_throughput_share_of_health = round(rps(main.me) / rps(main.health));
  if (main.token_verify_api_key) {
    // Issue 14: a key-authenticated request (one D1 read of the key, its rate limit, then the verify)
    // against the bearer-token request measured right beside it (/v1/me: the session read in D1).
    derived.api_key_verify_cpu_over_bearer_me = round(cpu(main.token_verify_api_key) / cpu(main.me_beside_api_keys));
    derived.api_key_verify_cpu_over_plain_verify = round(cpu(main.token_verify_api_key) / cpu(main.token_verify));
    derived.client_credentials_cpu_over_bearer_me = round(cpu(main.client_credentials) / cpu(main.me_beside_api_keys));
  }
  if (main.oauth_callback) {
    // Issue 12: social login's callback and code exchange against a password-less token issue
    // (refresh) measured right beside them (target: each under 2×).
    derived.oauth_callback_cpu_over_refresh = round(cpu(main.oauth_callback) / cpu(main.refresh_beside_oauth));
    derived.oauth_code_exchange_cpu_over_refresh = round(
      cpu(main.oauth_code_exchange) / cpu(main.refresh_beside_oauth),
    );
  }
  if (peer) {
    derived.peer = {
      session_check_me_over_get_session: round(rps(main.me) / rps(peer.get_session)),
      session_check_verify_over_get_session: round(rps(main.token_verify) / rps(peer.get_session)),
      // The same comparison without the local dev floor (proxy, entry Worker, trace collector).
      session_check_worker_cpu_ratio_get_session_over_me: round(
        (cpu(peer.get_session) - cpu(peer.health)) / (cpu(main.me) - cpu(main.health)),
      ),
      session_check_worker_cpu_ratio_get_session_over_verify: round(
        (cpu(peer.get_session) - cpu(peer.health)) / (cpu(main.token_verify) - cpu(main.health)),
      ),
      get_session_share_of_peer_health: round(rps(peer.get_session) / rps(peer.health)),
      sign_up_throughput_ratio: round(rps(peerHash?.signup) / rps(peer.sign_up)),
      sign_in_throughput_ratio: round(rps(peerHash?.login) / rps(peer.sign_in)),
      sign_up_cpu_ratio: round(cpu(peerHash?.signup) / cpu(peer.sign_up)),
      sign_in_cpu_ratio: round(cpu(peerHash?.login) / cpu(peer.sign_in)),
      bundle_gzip_ratio: round(results.bundle.gzip_bytes / results.better_auth.bundle.gzip_bytes),
      startup_active_cpu_ratio: round(
        results.startup_profile.active_cpu_ms / results.better_auth.startup.profile.active_cpu_ms,
      ),
    };
  }
  if (results.prefilled_db?.ratios) derived.prefilled_ratios = results.prefilled_db.ratios;
  if (results.user_import) derived.user_import = userImportDerived(results.user_import);
  derived.targets = targets(derived);
  return derived;
}

function targets(derived) {
  const list = [];
  if (derived.rpc_vs_bare) {
    list.push(
      target("verifyToken RPC vs bare jose verify (CPU/request)", derived.rpc_vs_bare.cpu_per_request_ratio, 1.2, "<="),
    );
  }
  list.push(target("/v1/token/verify throughput / /health", derived.verify_throughput_share_of_health, 0.75, ">="));
  for (const [name, ratio] of Object.entries(derived.prefilled_ratios ?? {})) {
    list.push(target(`${name} on the prefilled D1 / empty (CPU/request)`, ratio.cpu_prefilled_over_empty, 1.2, "<="));
  }
  if (derived.dialect_session_check_cpu_over_me !== undefined) {
    list.push(
      target("dialect session check / /v1/me (CPU/request)", derived.dialect_session_check_cpu_over_me, 1.1, "<="),
    );
  }
  if (derived.api_key_verify_cpu_over_bearer_me !== undefined) {
    list.push(
      target(
        "API-key request / bearer request (CPU/request)",
        derived.api_key_verify_cpu_over_bearer_me,
        1.2,
        "<=",
        "POST /v1/token/verify with a key vs GET /v1/me with an access token, measured side by side",
      ),
    );
  }
  if (derived.oauth_callback_cpu_over_refresh !== undefined) {
    const note = "against the dev identity provider, beside POST /v1/token/refresh";
    list.push(
      target("social callback / token refresh (CPU/request)", derived.oauth_callback_cpu_over_refresh, 2, "<=", note),
    );
    list.push(
      target(
        "social code exchange / token refresh (CPU/request)",
        derived.oauth_code_exchange_cpu_over_refresh,
        2,
        "<=",
        note,
      ),
    );
  }
  for (const [name, bytes] of Object.entries(derived.dialect_bundle_gzip_bytes ?? {})) {
    list.push(target(`${name} dialect's bundle cost (gzip bytes)`, bytes, 5000, "<="));
  }
  if (derived.social_login_gzip_bytes) {
    list.push(target("social login's bundle cost (gzip bytes)", derived.social_login_gzip_bytes, 15000, "<="));
  }
  if (derived.peer) {
    list.push(target("session check: /v1/me / get-session", derived.peer.session_check_me_over_get_session, 3, ">="));
    list.push(
      target(
        "session check: /v1/token/verify / get-session",
        derived.peer.session_check_verify_over_get_session,
        3,
        ">=",
      ),
    );
    list.push(target("bundle gzip / Better Auth's", derived.peer.bundle_gzip_ratio, 1 / 3, "<="));
  }
  for (const key of [
    "login_beyond_hash",
    "signup_beyond_hash",
    "login_beyond_hash_at_peer_params",
    "signup_beyond_hash_at_peer_params",
  ]) {
    if (derived[key])
      list.push(target(`${key.replaceAll("_", " ")} (share of CPU)`, derived[key].beyond_hash_share, 0.05, "<="));
  }
  return list;
}

export function printSummary(results) {
  const { derived } = results;
  console.log("\nTargets (issue 5):");
  for (const entry of derived.targets) {
    const verdict = entry.met === null ? "n/a" : entry.met ? "met" : "MISSED";
    console.log(
      `  ${verdict.padEnd(6)} ${entry.name.padEnd(52)} ${String(entry.value).padStart(8)}  (target ${entry.target})`,
    );
  }
  console.log(`\nBundle: ${results.bundle.gzip_bytes} bytes gzip (${results.bundle.raw_bytes} raw)`);
  console.log(`Startup: ${results.startup_profile.active_cpu_ms} ms active CPU (wrangler check startup)`);
  if (derived.peer) {
    console.log("\nedge-auth / Better Auth ratios:");
    for (const [name, value] of Object.entries(derived.peer)) console.log(`  ${name.padEnd(40)} ${value}`);
  }
  if (results.user_import) printUserImport(results.user_import);
  if (results.edge_auth.soak) {
    const soak = results.edge_auth.soak;
    console.log(
      `\nSoak ${soak.seconds} s: ${soak.passed ? "PASS" : "FAIL"} (errors ${soak.errors}, 5xx ${soak.responses_5xx}, RSS growth ${soak.memory.growth_last_vs_first_quarter})`,
    );
  }
}

export function writeResults(path, results) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nwrote ${path}`);
}
