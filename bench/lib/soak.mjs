// The load test: minutes of mixed traffic at fixed concurrency on one server, with workerd's
// resident memory sampled throughout. It passes with 0 errors, 0 responses >= 500 and flat memory.
//
// Why a warm-up: local workerd runs a dozen isolates beside ours (miniflare's entry Worker, the D1,
// KV and rate-limit simulators, the trace collector), and under load each one's V8 heap grows to its
// working size; RSS climbs for the first tens of thousands of requests and then levels off (a
// 5-minute run: 179 MiB at the start, ~1,020 MiB by 180 s, 1,020-1,100 MiB to 300 s). So the same
// traffic runs first unmeasured, and flatness is judged on the window after it. Our own isolate's
// JS heap is sampled beside RSS, through workerd's inspector: a leak in our code would show there.
import { CONNECTIONS, runAutocannon, statusCounts } from "./load.mjs";
import { cpuByRole, workerdMemory } from "./proc.mjs";
import { InspectorSession, inspectorTargets } from "./profiler.mjs";
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

const mean = (values) => values.reduce((sum, value) => sum + value, 0) / values.length;
const mib = (bytes) => Number((bytes / MIB).toFixed(1));

/** Last quarter's mean over first quarter's, minus 1 (null without data). */
function quarterGrowth(values) {
  if (values.length === 0) return null;
  const quarter = Math.max(1, Math.floor(values.length / 4));
  const first = mean(values.slice(0, quarter));
  return first > 0 ? Number((mean(values.slice(-quarter)) / first - 1).toFixed(3)) : null;
}

/** Our Worker's inspector address in the runtime, or null when it cannot be found. */
async function ownIsolateUrl(devPid) {
  const target = (await inspectorTargets(devPid)).find((entry) => entry.id === "core:user:edge-auth");
  return target?.webSocketDebuggerUrl ?? null;
}

/** Used JS heap of our isolate, or null. A session per sample: a long-held one stops answering. */
async function usedHeapBytes(url) {
  if (!url) return null;
  const session = await InspectorSession.open(url, 3_000).catch(() => null);
  try {
    return session ? (await session.send("Runtime.getHeapUsage", {}, 3_000)).usedSize : null;
  } catch {
    return null;
  } finally {
    session?.close();
  }
}

function summarizeMemory(samples) {
  const runtime = samples.map((sample) => sample.runtime_bytes);
  const growth = quarterGrowth(runtime) ?? 0;
  const heap = samples.map((sample) => sample.own_heap_bytes).filter((bytes) => typeof bytes === "number");
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
    growth_last_vs_first_quarter: growth,
    flat: growth <= FLAT_TOLERANCE,
    own_isolate_heap_used_mib:
      heap.length > 0
        ? {
            first: mib(heap[0]),
            last: mib(heap.at(-1)),
            max: mib(Math.max(...heap)),
            growth_last_vs_first_quarter: quarterGrowth(heap),
          }
        : null,
  };
}

function mixedTraffic(server, accessToken, refreshTokens, seconds) {
  const hashingConnections = 2;
  return Promise.all([
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
}

/** The warm-up: the soak's own traffic, unmeasured except for RSS at its start and end. */
async function warmUp(server, accessToken, refreshTokens, seconds) {
  if (seconds <= 0) return null;
  console.log(`  soak warm-up: ${seconds} s of the same traffic, not judged`);
  const before = workerdMemory(server.pid).runtime;
  const results = await mixedTraffic(server, accessToken, refreshTokens, seconds);
  const statuses = results.flatMap((result) => Object.entries(statusCounts(result)));
  return {
    seconds,
    requests: statuses.reduce((sum, [, count]) => sum + count, 0),
    errors: results.reduce((sum, result) => sum + result.errors, 0),
    responses_5xx: statuses.filter(([status]) => Number(status) >= 500).reduce((sum, [, count]) => sum + count, 0),
    runtime_rss_mib: { first: mib(before), last: mib(workerdMemory(server.pid).runtime) },
  };
}

export async function runSoak({ server, accessToken, refreshTokens, options }) {
  const seconds = options.soakSeconds;
  const warmup = await warmUp(server, accessToken, refreshTokens, options.soakWarmupSeconds);
  console.log(
    `  soak: ${seconds} s of mixed traffic at ${CONNECTIONS} connections, RSS every ${SAMPLE_EVERY_MS / 1000} s`,
  );
  const ownIsolate = await ownIsolateUrl(server.pid);
  const samples = [];
  const startedAt = Date.now();
  const sample = async () => {
    const memory = workerdMemory(server.pid);
    samples.push({
      t_s: Math.round((Date.now() - startedAt) / 1000),
      runtime_bytes: memory.runtime,
      total_bytes: memory.total,
      own_heap_bytes: await usedHeapBytes(ownIsolate),
    });
  };
  await sample();
  const sampler = setInterval(() => {
    if (samples.length < seconds / (SAMPLE_EVERY_MS / 1000) + 2) sample();
  }, SAMPLE_EVERY_MS);
  const cpuBefore = cpuByRole(server.pid);
  let results;
  try {
    results = await mixedTraffic(server, accessToken, refreshTokens, seconds);
  } finally {
    clearInterval(sampler);
  }
  await sample();
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
    warmup,
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
      runtime_mib: mib(entry.runtime_bytes),
      own_heap_mib: typeof entry.own_heap_bytes === "number" ? mib(entry.own_heap_bytes) : null,
    })),
    passed:
      errors === 0 &&
      serverErrors === 0 &&
      (warmup?.errors ?? 0) === 0 &&
      (warmup?.responses_5xx ?? 0) === 0 &&
      memory.flat &&
      cpuBefore.pids === cpuAfter.pids,
  };
  console.log(
    `  soak: ${requests} requests (${soak.req_per_s}/s), errors ${errors}, 5xx ${serverErrors}, non-2xx ${soak.non_2xx}, ` +
      `runtime RSS first ${memory.runtime_rss_mib.first} / last ${memory.runtime_rss_mib.last} / max ${memory.runtime_rss_mib.max} MiB ` +
      `(growth ${memory.growth_last_vs_first_quarter}; our heap ${JSON.stringify(memory.own_isolate_heap_used_mib)}) ` +
      `-> ${soak.passed ? "PASS" : "FAIL"}`,
  );
  return soak;
}
