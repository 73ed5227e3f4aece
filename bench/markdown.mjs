// Prints the figures of a results file as the Markdown tables used in bench/README.md:
//   node bench/markdown.mjs [bench/results/latest.json]
import { readFileSync } from "node:fs";

const path = process.argv[2] ?? new URL("results/latest.json", import.meta.url).pathname;
const results = JSON.parse(readFileSync(path, "utf8"));

function scenarioRows(title, scenarios) {
  const rows = [];
  for (const figure of Object.values(scenarios ?? {})) {
    const cpu = figure.cpu_ms_per_request;
    rows.push(
      `| ${title} | ${figure.name} | ${figure.requests} | ${figure.req_per_s} | ${figure.latency_ms.p50} | ${figure.latency_ms.p99} | ` +
        `${cpu.workerd ?? "n/a"} | ${cpu.workerd_runtime ?? "n/a"} | ${figure.non_2xx} | ${figure.errors} | ${figure.background_cpu_cores} |`,
    );
  }
  return rows;
}

const lines = [
  `Run of ${results.generated_at} on ${results.machine.cores} × ${results.machine.cpu_model}; ` +
    `wrangler ${results.versions.wrangler}, autocannon ${results.versions.autocannon}, ${results.options.connections} connections.`,
  "",
  "| server | scenario | requests | req/s | p50 ms | p99 ms | workerd CPU ms/req | of which runtime | non-2xx | errors | background cores |",
  "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  ...scenarioRows("edge-auth", results.edge_auth?.scenarios),
  ...scenarioRows(`edge-auth ${results.password_scrypt.peer_params}`, results.edge_auth_at_peer_hash?.scenarios),
  ...scenarioRows("consumer + edge-auth", results.rpc?.scenarios),
  ...scenarioRows(`Better Auth ${results.better_auth?.version ?? ""}`, results.better_auth?.scenarios),
  "",
  "| target | value | target | met |",
  "|---|---:|---:|---|",
  ...results.derived.targets.map(
    (entry) =>
      `| ${entry.name} | ${entry.value} | ${entry.target} | ${entry.met === null ? "n/a" : entry.met ? "yes" : "**no**"} |`,
  ),
  "",
];
if (results.derived.peer) {
  lines.push("| edge-auth ÷ Better Auth | value |", "|---|---:|");
  for (const [name, value] of Object.entries(results.derived.peer)) lines.push(`| ${name} | ${value} |`);
  lines.push("");
}
for (const key of Object.keys(results.derived).filter((name) => name.includes("beyond_hash"))) {
  const entry = results.derived[key];
  if (entry.route_cpu_ms === undefined) {
    // The profile-based shares (only with --profile): per scenario, the isolate's time outside the hash.
    const shares = Object.entries(entry).filter(([, share]) => share !== undefined);
    if (shares.length > 0) lines.push(`- ${key}: ${shares.map(([name, share]) => `${name} ${share}`).join(", ")}`);
    continue;
  }
  lines.push(
    `- ${key}: route ${entry.route_cpu_ms} ms, hash ${entry.hash_cpu_ms} ms, beyond ${entry.beyond_hash_cpu_ms} ms (${entry.beyond_hash_share})`,
  );
}
const bundle = results.bundle;
lines.push(
  "",
  `- bundle: ${bundle.gzip_bytes} bytes gzip -9 (${bundle.raw_bytes} raw; wrangler reports ${bundle.wrangler_reported_gzip_bytes} gzip)` +
    (results.better_auth
      ? `; Better Auth ${results.better_auth.bundle.gzip_bytes} gzip (${results.better_auth.bundle.raw_bytes} raw)`
      : ""),
  `- startup: ${results.startup_profile.active_cpu_ms} ms active CPU (wrangler check startup)` +
    (results.better_auth ? `; Better Auth ${results.better_auth.startup.profile.active_cpu_ms} ms` : "") +
    `; spawn to first 200 ${results.edge_auth.startup.spawn_to_first_200_ms} ms; first response ${results.edge_auth.startup.first_response_ms} ms`,
);
const soak = results.edge_auth.soak;
if (soak) {
  lines.push(
    `- soak ${soak.seconds} s: ${soak.requests} requests (${soak.req_per_s}/s), errors ${soak.errors}, 5xx ${soak.responses_5xx}, ` +
      `non-2xx ${soak.non_2xx}; runtime RSS first ${soak.memory.runtime_rss_mib.first} / last ${soak.memory.runtime_rss_mib.last} / ` +
      `max ${soak.memory.runtime_rss_mib.max} MiB, growth ${soak.memory.growth_last_vs_first_quarter} -> ${soak.passed ? "PASS" : "FAIL"}`,
  );
}
console.log(lines.join("\n"));
