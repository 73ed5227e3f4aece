// The load test: minutes of mixed traffic at fixed concurrency on one server, with workerd's
// resident memory sampled throughout. It passes with 0 errors, 0 responses >= 500 and flat memory.
import { CONNECTIONS, runAutocannon, statusCounts } from "./load.mjs";
import { cpuByRole, workerdMemory } from "./proc.mjs";
import { BENCH_PASSWORD, getRequest, jsonRequest, uniqueEmail } from "./traffic.mjs";

const SAMPLE_EVERY_MS = 5_000;
// Flat: the last quarter's mean RSS is within this fraction of the first quarter's.
const FLAT_TOLERANCE = 0.1;
const MIB = 1024 * 1024;
const ACCOUNT_REQUESTS_PER_SECOND = 1;

function mixedReadRequests(accessToken, refreshTokens) {
  const bearer = { authorization: `Bearer ${accessToken}` };
  const refresh = jsonRequest("POST", "/v1/token/refresh", () => ({
    refresh_token: refreshTokens.take("pool-ran-dry-this-token-is-invalid"),
  }));
  refresh.onResponse = (status, body) => {
    if (status === 200) refreshTokens.give(JSON.parse(body).refresh_token);
  };
  return [
    jsonRequest("POST", "/v1/token/verify", () => ({ token: accessToken })),
    getRequest("/v1/me", bearer),
    refresh,
    getRequest("/health"),
    getRequest("/.well-known/jwks.json"),
  ];
}

/** Sign up a new account, then log in to it: the password-hashing half of the traffic. */
function accountRequests() {
  const signup = jsonRequest("POST", "/v1/signup", (context) => {
    context.email = uniqueEmail("soak");
    return { email: context.email, password: BENCH_PASSWORD };
  });
  const login = jsonRequest("POST", "/v1/login", (context) => ({ email: context.email, password: BENCH_PASSWORD }));
  return [signup, login];
}

function summarizeMemory(samples) {
  const runtime = samples.map((sample) => sample.runtime_bytes);
  const quarter = Math.max(1, Math.floor(runtime.length / 4));
  const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;
  const firstQuarter = mean(runtime.slice(0, quarter));
  const lastQuarter = mean(runtime.slice(-quarter));
  const growth = firstQuarter > 0 ? lastQuarter / firstQuarter - 1 : 0;
  const mib = (bytes) => Number((bytes / MIB).toFixed(1));
  return {
    runtime_rss_mib: {
      first: mib(runtime[0] ?? 0),
      last: mib(runtime.at(-1) ?? 0),
      max: mib(Math.max(...runtime)),
      min: mib(Math.min(...runtime)),
    },
    all_workerd_rss_mib: {
      first: mib(samples[0]?.total_bytes ?? 0),
      last: mib(samples.at(-1)?.total_bytes ?? 0),
      max: mib(Math.max(...samples.map((sample) => sample.total_bytes))),
    },
    growth_last_vs_first_quarter: Number(growth.toFixed(3)),
    flat: growth <= FLAT_TOLERANCE,
  };
}

export async function runSoak({ server, accessToken, refreshTokens, options }) {
  const seconds = options.soakSeconds;
  const hashingConnections = 2;
  console.log(
    `  soak: ${seconds} s of mixed traffic at ${CONNECTIONS} connections, RSS every ${SAMPLE_EVERY_MS / 1000} s`,
  );
  const samples = [];
  const startedAt = Date.now();
  const sample = () => {
    const memory = workerdMemory(server.pid);
    samples.push({
      t_s: Math.round((Date.now() - startedAt) / 1000),
      runtime_bytes: memory.runtime,
      total_bytes: memory.total,
    });
  };
  sample();
  const sampler = setInterval(() => {
    if (samples.length < seconds / (SAMPLE_EVERY_MS / 1000) + 2) sample();
  }, SAMPLE_EVERY_MS);
  const cpuBefore = cpuByRole(server.pid);
  let results;
  try {
    results = await Promise.all([
      runAutocannon({
        url: server.origin,
        connections: CONNECTIONS - hashingConnections,
        duration: seconds,
        timeout: 30,
        requests: mixedReadRequests(accessToken, refreshTokens),
      }),
      runAutocannon({
        url: server.origin,
        connections: hashingConnections,
        // One password hash blocks its isolate for its whole length (scrypt in workerd is synchronous),
        // so account traffic is paced like real traffic: a sign-up or login a second, not back to back.
        overallRate: ACCOUNT_REQUESTS_PER_SECOND,
        duration: seconds,
        timeout: 60,
        requests: accountRequests(),
      }),
    ]);
  } finally {
    clearInterval(sampler);
  }
  sample();
  const cpuAfter = cpuByRole(server.pid);
  const statuses = {};
  for (const result of results) {
    for (const [status, count] of Object.entries(statusCounts(result)))
      statuses[status] = (statuses[status] ?? 0) + count;
  }
  const requests = Object.values(statuses).reduce((sum, count) => sum + count, 0);
  const serverErrors = Object.entries(statuses)
    .filter(([status]) => Number(status) >= 500)
    .reduce((sum, [, count]) => sum + count, 0);
  const errors = results.reduce((sum, result) => sum + result.errors, 0);
  const memory = summarizeMemory(samples);
  const workerdCpuMs = cpuAfter.runtime + cpuAfter.proxy - cpuBefore.runtime - cpuBefore.proxy;
  const soak = {
    seconds,
    connections: CONNECTIONS,
    mix:
      "8 connections cycling verify, /v1/me, refresh, /health, jwks; " +
      `2 connections cycling signup then login, paced at ${ACCOUNT_REQUESTS_PER_SECOND} request/s`,
    requests,
    req_per_s: Number((requests / seconds).toFixed(1)),
    statuses,
    non_2xx: results.reduce((sum, result) => sum + result.non2xx, 0),
    errors,
    timeouts: results.reduce((sum, result) => sum + result.timeouts, 0),
    responses_5xx: serverErrors,
    workerd_restarted: cpuBefore.pids !== cpuAfter.pids,
    workerd_cpu_ms_per_request:
      requests && cpuBefore.pids === cpuAfter.pids ? Number((workerdCpuMs / requests).toFixed(3)) : null,
    memory,
    rss_samples: samples.map((entry) => ({
      t_s: entry.t_s,
      runtime_mib: Number((entry.runtime_bytes / MIB).toFixed(1)),
    })),
    passed: errors === 0 && serverErrors === 0 && memory.flat && cpuBefore.pids === cpuAfter.pids,
  };
  console.log(
    `  soak: ${requests} requests (${soak.req_per_s}/s), errors ${errors}, 5xx ${serverErrors}, non-2xx ${soak.non_2xx}, ` +
      `runtime RSS first ${memory.runtime_rss_mib.first} / last ${memory.runtime_rss_mib.last} / max ${memory.runtime_rss_mib.max} MiB ` +
      `-> ${soak.passed ? "PASS" : "FAIL"}`,
  );
  return soak;
}
