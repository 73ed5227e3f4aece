// One measured scenario: autocannon against a loopback origin at fixed concurrency, with the CPU the
// wrangler/workerd processes used during the run read from /proc before and after.
import autocannon from "autocannon";
import { cpuByRole, machineCpu } from "./proc.mjs";
import { profileWhile } from "./profiler.mjs";

export const CONNECTIONS = 10;
const round = (value, digits = 2) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : null);

export function statusCounts(result) {
  const counts = {};
  for (const [status, { count }] of Object.entries(result.statusCodeStats ?? {})) counts[status] = Number(count);
  return counts;
}

export function runAutocannon(options) {
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
    // A hard stop in case a run outlives its bound (duration, or amount × timeout).
    const limitMs = ((options.duration ?? 0) + (options.timeout ?? 10) * 3 + 60) * 1000;
    const guard = setTimeout(() => instance.stop(), options.amount ? limitMs * 4 : limitMs);
    instance.once("done", () => clearTimeout(guard));
  });
}

/**
 * Runs one scenario and returns its figures. `requests` is an autocannon requests array (each may
 * have setupRequest/onResponse); `amount` fixes the request count, otherwise `durationSeconds` runs.
 */
export async function measureScenario({
  name,
  origin,
  devPid,
  requests,
  amount,
  durationSeconds = 10,
  connections = CONNECTIONS,
  timeoutSeconds = 30,
}) {
  const before = { cpu: cpuByRole(devPid), machine: machineCpu(), client: process.cpuUsage() };
  const result = await runAutocannon({
    url: origin,
    connections,
    requests,
    timeout: timeoutSeconds,
    ...(amount ? { amount } : { duration: durationSeconds }),
  });
  const after = { cpu: cpuByRole(devPid), machine: machineCpu(), client: process.cpuUsage(before.client) };
  const statuses = statusCounts(result);
  const completed = Object.values(statuses).reduce((sum, count) => sum + count, 0);
  // A workerd restarted mid-run (wrangler reloads when a source file changes) resets its counters.
  const restarted = before.cpu.pids !== after.cpu.pids;
  const perRequest = (ms) => (completed > 0 && !restarted ? round(ms / completed, 3) : null);
  const cpu = {
    runtime: after.cpu.runtime - before.cpu.runtime,
    proxy: after.cpu.proxy - before.cpu.proxy,
    wrangler: after.cpu.wrangler - before.cpu.wrangler,
  };
  const clientMs = (after.client.user + after.client.system) / 1000;
  const machineBusyMs = after.machine.busyMs - before.machine.busyMs;
  const wallMs = result.duration * 1000;
  const figure = {
    name,
    connections,
    requests: completed,
    duration_s: round(result.duration, 3),
    req_per_s: round(completed / result.duration, 1),
    latency_ms: {
      p50: result.latency.p50,
      p99: result.latency.p99,
      max: result.latency.max,
      mean: round(result.latency.mean),
    },
    statuses,
    non_2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    workerd_restarted: restarted,
    cpu_ms_per_request: {
      workerd: perRequest(cpu.runtime + cpu.proxy),
      workerd_runtime: perRequest(cpu.runtime),
      workerd_dev_proxy: perRequest(cpu.proxy),
      wrangler_node: perRequest(cpu.wrangler),
      load_generator: perRequest(clientMs),
    },
    // CPU of the whole machine not used by the server processes or this load generator: other
    // programs competing for the 2 cores while this scenario ran (0 on a quiet machine).
    background_cpu_cores: round((machineBusyMs - cpu.runtime - cpu.proxy - cpu.wrangler - clientMs) / wallMs),
  };
  printFigure(figure);
  return figure;
}

export function printFigure(figure) {
  const cpu = figure.cpu_ms_per_request;
  let extra = figure.non_2xx || figure.errors ? `  non-2xx ${figure.non_2xx} errors ${figure.errors}` : "";
  if (figure.workerd_restarted) extra += "  WORKERD RESTARTED (source changed?): CPU not measured";
  console.log(
    `  ${figure.name.padEnd(34)} ${String(figure.req_per_s).padStart(8)} req/s  p50 ${String(figure.latency_ms.p50).padStart(5)} ms` +
      `  p99 ${String(figure.latency_ms.p99).padStart(5)} ms  cpu ${String(cpu.workerd).padStart(7)} ms/req` +
      `  (n=${figure.requests}, bg ${figure.background_cpu_cores})${extra}`,
  );
}

/** The same traffic as a scenario, run under the profiler (a separate, shorter, unmeasured run). */
export async function profileScenario({
  name,
  origin,
  devPid,
  requests,
  amount,
  durationSeconds = 5,
  timeoutSeconds = 60,
}) {
  const nudge = () => fetch(`${origin}/health`, { signal: AbortSignal.timeout(5_000) }).then((answer) => answer.text());
  const drive = async () => {
    const result = await runAutocannon({
      url: origin,
      connections: CONNECTIONS,
      requests,
      timeout: timeoutSeconds,
      ...(amount ? { amount } : { duration: durationSeconds }),
    });
    return Math.max(
      1,
      Object.values(statusCounts(result)).reduce((sum, count) => sum + count, 0),
    );
  };
  const profile = await profileWhile(devPid, drive, nudge);
  const busy = Object.entries(profile.workers)
    .map(([worker, summary]) => `${worker.replace("core:user:", "")} ${summary.ms_per_request}`)
    .join(", ");
  console.log(`  profiled ${name}: ms/request by Worker: ${busy}`);
  return { name, ...profile };
}
