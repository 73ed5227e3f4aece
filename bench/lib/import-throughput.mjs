// Scenario `import`: rows per second through POST /v1/admin/users/import into local D1, at the
// largest batch (500 rows) with a few batches in flight, as the import CLI sends them. Every row
// carries the same pre-computed edge-auth PHC hash at wrangler.toml's setting, so the figure is the
// import's checking and write path (the hash is parsed, never derived), not password hashing.
import { importBatch, importBody } from "./admin-import.mjs";
import { cpuByRole, machineCpu } from "./proc.mjs";
import { mapLimited, uniqueEmail } from "./traffic.mjs";

export const IMPORT_ROWS = 20_000;
export const IMPORT_BATCH_ROWS = 500;
export const IMPORT_CONCURRENCY = 4;

const round = (value, digits = 1) => Number(value.toFixed(digits));

function percentile(values, share) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(share * sorted.length))];
}

/** Realistic rows: a verified address, a display name, the old server's id, a creation time, a hash. */
function importRows(count, passwordHash) {
  return Array.from({ length: count }, (_, index) => ({
    email: uniqueEmail("import"),
    email_verified: true,
    name: `Bench Import ${index}`,
    legacy_id: String(1_000_000 + index),
    created_at: 1_600_000_000 + index,
    password_hash: passwordHash,
  }));
}

export async function benchImportThroughput(server, apiKey, passwordHash) {
  const rows = importRows(IMPORT_ROWS, passwordHash);
  const bodies = [];
  for (let start = 0; start < rows.length; start += IMPORT_BATCH_ROWS) {
    bodies.push(importBody(rows.slice(start, start + IMPORT_BATCH_ROWS)));
  }
  const before = { cpu: cpuByRole(server.pid), machine: machineCpu(), client: process.cpuUsage() };
  const started = performance.now();
  const batchMs = await mapLimited(bodies, IMPORT_CONCURRENCY, (body) => importBatch(server.origin, apiKey, body));
  const wallMs = performance.now() - started;
  const after = { cpu: cpuByRole(server.pid), machine: machineCpu(), client: process.cpuUsage(before.client) };
  if (before.cpu.pids !== after.cpu.pids) throw new Error("workerd restarted during the import");
  const workerdMs = after.cpu.runtime + after.cpu.proxy - before.cpu.runtime - before.cpu.proxy;
  const serverMs = workerdMs + after.cpu.wrangler - before.cpu.wrangler;
  const clientMs = (after.client.user + after.client.system) / 1000;
  const figure = {
    rows: rows.length,
    batch_rows: IMPORT_BATCH_ROWS,
    batches: bodies.length,
    concurrency: IMPORT_CONCURRENCY,
    password_hash: "one pre-computed edge-auth scrypt PHC string, the same in every row (parsed, not derived)",
    wall_s: round(wallMs / 1000, 2),
    rows_per_s: round((rows.length * 1000) / wallMs),
    batch_ms: {
      p50: round(percentile(batchMs, 0.5)),
      p95: round(percentile(batchMs, 0.95)),
      max: round(Math.max(...batchMs)),
    },
    workerd_cpu_ms_per_batch: round(workerdMs / bodies.length),
    workerd_cpu_ms_per_row: round(workerdMs / rows.length, 3),
    background_cpu_cores: round((after.machine.busyMs - before.machine.busyMs - serverMs - clientMs) / wallMs, 2),
  };
  console.log(
    `  import ${figure.rows} rows, batches of ${figure.batch_rows}, ${figure.concurrency} in flight: ` +
      `${figure.rows_per_s} rows/s, ${figure.batch_ms.p50} ms a batch (p95 ${figure.batch_ms.p95}), ` +
      `workerd ${figure.workerd_cpu_ms_per_batch} ms CPU a batch (bg ${figure.background_cpu_cores})`,
  );
  return figure;
}
