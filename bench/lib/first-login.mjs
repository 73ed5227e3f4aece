// Scenario `first_login`: the CPU of one first login per imported-hash format (POST /v1/login of an
// account imported with that hash: verify the old hash, rehash to our scrypt, compare-and-swap), and
// of a login with our own hash beside them. Logins run one at a time on an otherwise idle server, so
// the workerd processes' CPU across one request (every thread, nanosecond resolution, a short settle
// for what the request deferred) is that request's; formats take turns, so a busy moment of the
// machine falls on all of them alike. Every account logs in once; the export then shows each
// imported account's hash replaced by ours.
import { exportedHashKinds, importBatch, importBody } from "./admin-import.mjs";
import { firstLoginFormats } from "./legacy-hash-vectors.mjs";
import { cpuByRole, machineCpu, workerdCpuPrecise } from "./proc.mjs";
import { nextClientIp, uniqueEmail } from "./traffic.mjs";

/** Measured logins per format, after one unmeasured warm-up login each. */
export const FIRST_LOGINS_PER_FORMAT = 8;
/** After the answer, for the work the login deferred (its security event) to finish. */
const SETTLE_MS = 150;

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const round = (value) => Number(value.toFixed(1));

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function codeOf(text) {
  try {
    return JSON.parse(text).code ?? "";
  } catch {
    return "";
  }
}

async function timedLogin(server, email, password) {
  const before = workerdCpuPrecise(server.pid);
  const started = performance.now();
  const response = await fetch(`${server.origin}/v1/login`, {
    method: "POST",
    headers: { "content-type": "application/json", "cf-connecting-ip": nextClientIp() },
    body: JSON.stringify({ email, password }),
    signal: AbortSignal.timeout(60_000),
  });
  const answer = await response.text();
  const wallMs = performance.now() - started;
  await sleep(SETTLE_MS);
  const after = workerdCpuPrecise(server.pid);
  // A refusal's problem code only: a success carries tokens, never printed.
  if (response.status !== 200) throw new Error(`a first login answered ${response.status} ${codeOf(answer)}`);
  if (before.pids !== after.pids) throw new Error("workerd restarted during the first logins");
  return { cpuMs: after.ms - before.ms, wallMs };
}

/** The workerd processes' CPU while nothing is sent: the noise inside each measured window. */
async function idleCpuMsPerSecond(server) {
  const before = workerdCpuPrecise(server.pid);
  await sleep(2_000);
  return round((workerdCpuPrecise(server.pid).ms - before.ms) / 2);
}

/** Logins in turns (one per format a turn); turn 0 is the warm-up. Answers the samples and the stretch's CPU. */
async function loginInTurns(server, formats, accountsOf) {
  const samples = formats.map(() => ({ cpu: [], wall: [], warmupCpu: null }));
  const ticksBefore = cpuByRole(server.pid);
  const machineBefore = machineCpu();
  const clientBefore = process.cpuUsage();
  const started = performance.now();
  let preciseTotal = 0;
  for (let turn = 0; turn <= FIRST_LOGINS_PER_FORMAT; turn++) {
    for (const [index, format] of formats.entries()) {
      const login = await timedLogin(server, accountsOf[index][turn], format.password);
      preciseTotal += login.cpuMs;
      const sample = samples[index];
      if (turn === 0) sample.warmupCpu = login.cpuMs;
      else {
        sample.cpu.push(login.cpuMs);
        sample.wall.push(login.wallMs);
      }
    }
  }
  const ticksAfter = cpuByRole(server.pid);
  const wallMs = performance.now() - started;
  const client = process.cpuUsage(clientBefore);
  const ticksTotal = ticksAfter.runtime + ticksAfter.proxy - ticksBefore.runtime - ticksBefore.proxy;
  const serverMs = ticksTotal + ticksAfter.wrangler - ticksBefore.wrangler;
  const otherMs = machineCpu().busyMs - machineBefore.busyMs - serverMs - (client.user + client.system) / 1000;
  return {
    samples,
    // Other programs' CPU meanwhile (0 on a quiet machine): CPU time is less sensitive to it than wall time.
    backgroundCores: Number((otherMs / wallMs).toFixed(2)),
    // The schedstat sum over the clock-tick (utime + stime) count of the same stretch: about 1 when
    // no thread's time was lost (a thread that exits takes its schedstat with it).
    preciseOverTicks: Number((preciseTotal / ticksTotal).toFixed(3)),
  };
}

function formatFigure(format, { cpu, wall, warmupCpu }, oursMedian, accounts, hashKinds) {
  const cpuMedian = median(cpu);
  const figure = {
    label: format.label,
    logins: cpu.length,
    cpu_ms: { median: round(cpuMedian), min: round(Math.min(...cpu)), max: round(Math.max(...cpu)) },
    wall_ms_median: round(median(wall)),
    warmup_cpu_ms: round(warmupCpu),
    // Our rehash costs what a login with our hash does, so this is about the old hash's check.
    cpu_ms_beyond_ours: round(cpuMedian - oursMedian),
    stored_hash_is_ours_after: accounts.filter((email) => hashKinds.get(email) === "ours").length,
    accounts: accounts.length,
  };
  console.log(
    `  ${format.label.padEnd(40)} cpu median ${String(figure.cpu_ms.median).padStart(7)} ms` +
      `  (${figure.cpu_ms.min}–${figure.cpu_ms.max}, n=${figure.logins})  beyond ours ${figure.cpu_ms_beyond_ours} ms` +
      `  hash ours after: ${figure.stored_hash_is_ours_after}/${figure.accounts}`,
  );
  return figure;
}

export async function benchFirstLogins(server, apiKey, ourSettings) {
  const formats = firstLoginFormats(ourSettings);
  const accountsOf = formats.map((format) =>
    Array.from({ length: 1 + FIRST_LOGINS_PER_FORMAT }, () => uniqueEmail(`first-login-${format.key}`)),
  );
  const users = formats.flatMap((format, index) =>
    accountsOf[index].map((email) => ({ email, email_verified: true, password_hash: format.stored })),
  );
  await importBatch(server.origin, apiKey, importBody(users));
  console.log(`  imported ${users.length} accounts (${formats.length} formats × ${1 + FIRST_LOGINS_PER_FORMAT})`);

  const idle = await idleCpuMsPerSecond(server);
  const { samples, backgroundCores, preciseOverTicks } = await loginInTurns(server, formats, accountsOf);
  const hashKinds = await exportedHashKinds(server.origin, apiKey);
  const oursMedian = median(samples[formats.findIndex((format) => format.key === "ours")].cpu);
  const perFormat = Object.fromEntries(
    formats.map((format, index) => [
      format.key,
      formatFigure(format, samples[index], oursMedian, accountsOf[index], hashKinds),
    ]),
  );
  return {
    method:
      "sequential POST /v1/login, workerd CPU (runtime + dev proxy, all threads, /proc/<pid>/task/*/schedstat) " +
      `from just before the request to ${SETTLE_MS} ms after its answer`,
    logins_per_format: FIRST_LOGINS_PER_FORMAT,
    settle_ms: SETTLE_MS,
    idle_workerd_cpu_ms_per_s: idle,
    background_cpu_cores: backgroundCores,
    precise_over_ticks: preciseOverTicks,
    formats: perFormat,
  };
}
