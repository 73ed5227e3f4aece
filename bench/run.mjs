// `npm run bench`: starts edge-auth under `wrangler dev` on fresh local D1s (as `npm run dev` does),
// drives it from this process with autocannon on 127.0.0.1, and writes every figure to
// bench/results/latest.json. `--peers` adds Better Auth side by side; see bench/README.md.
import { readFileSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join, resolve } from "node:path";
import { measureDialectSizes } from "../scripts/dialect-size.mjs";
import { measureSocialLoginSize } from "../scripts/social-size.mjs";
import { readOptions, USAGE } from "./lib/args.mjs";
import { benchBetterAuth } from "./lib/better-auth.mjs";
import { installCleanupHandlers, runToCompletion } from "./lib/children.mjs";
import { benchEdgeAuthAtPeerHash, benchEdgeAuthDefault } from "./lib/edge-auth.mjs";
import { CONNECTIONS } from "./lib/load.mjs";
import { timeNodeScrypt } from "./lib/node-scrypt.mjs";
import { benchOnly } from "./lib/only.mjs";
import { benchPrefilled } from "./lib/prefilled.mjs";
import { computeDerived, printSummary, writeResults } from "./lib/report.mjs";
import { benchRpcAndHash } from "./lib/rpc.mjs";
import { benchUserImport } from "./lib/user-import.mjs";
import { configuredPasswordScrypt, measureBundle, measureStartupProfile, PROJECT_ROOT } from "./lib/wrangler.mjs";

// Better Auth's scrypt (N=16384, r=16, p=1) in our PHC notation, to compare login like with like.
const PEER_SCRYPT = "ln=14,r=16,p=1";
// However the options are set, the whole run is bounded.
const WHOLE_RUN_LIMIT_MS = 90 * 60 * 1000;

const readJson = (relative) => JSON.parse(readFileSync(join(PROJECT_ROOT, relative), "utf8"));

function machine() {
  const cores = cpus();
  return {
    cpu_model: cores[0]?.model ?? "unknown",
    cores: cores.length,
    memory_bytes: totalmem(),
    node: process.version,
  };
}

async function main() {
  const options = readOptions(process.argv.slice(2));
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  installCleanupHandlers();
  setTimeout(() => {
    console.error(`bench: still running after ${WHOLE_RUN_LIMIT_MS / 60_000} minutes, giving up`);
    process.exit(2);
  }, WHOLE_RUN_LIMIT_MS).unref();
  if (options.only) return runOnly(options);

  const setup = await runToCompletion(process.execPath, ["scripts/dev-setup.mjs"], {
    cwd: PROJECT_ROOT,
    timeoutMs: 60_000,
  });
  if (setup.code !== 0) throw new Error(`scripts/dev-setup.mjs failed:\n${setup.output}`);
  const defaultScrypt = configuredPasswordScrypt();
  const results = {
    generated_at: new Date().toISOString(),
    machine: { ...machine(), loadavg_at_start: loadavg() },
    options: { ...options, connections: CONNECTIONS },
    versions: {
      wrangler: readJson("node_modules/wrangler/package.json").version,
      autocannon: readJson("node_modules/autocannon/package.json").version,
    },
    password_scrypt: { configured: defaultScrypt, peer_params: PEER_SCRYPT },
  };

  console.log("bundle and startup (wrangler deploy --dry-run, wrangler check startup)");
  results.bundle = await measureBundle({ config: "wrangler.toml" });
  results.startup_profile = await measureStartupProfile({ config: "wrangler.toml" });
  results.dialect_bundle_gzip_bytes = await measureDialectSizes();
  results.social_login_gzip_bytes = await measureSocialLoginSize();
  console.log(
    `  ${results.bundle.gzip_bytes} bytes gzip; startup ${results.startup_profile.active_cpu_ms} ms active CPU`,
  );

  // The measured sessions run the dev build of this very tree (`wrangler dev <bundle> --no-bundle`):
  // the deployable bundle plus the dev identity provider the social scenarios sign in with (src/dev.ts;
  // nothing else differs), built once, whatever is edited while the bench runs.
  options.prebuiltEntry = (await measureBundle({ config: "wrangler.toml", script: "src/dev.ts" })).entry;
  results.edge_auth = await benchEdgeAuthDefault(options);
  const { accessToken, ...atPeerHash } = await benchEdgeAuthAtPeerHash(options, PEER_SCRYPT);
  results.edge_auth_at_peer_hash = atPeerHash;
  results.rpc = await benchRpcAndHash(options, { defaultScrypt, peerScrypt: PEER_SCRYPT, accessToken });
  results.node_scrypt = [
    timeNodeScrypt(defaultScrypt, 32),
    timeNodeScrypt(PEER_SCRYPT, 32),
    timeNodeScrypt(PEER_SCRYPT, 64),
  ];
  if (options.peers) results.better_auth = await benchBetterAuth(options);
  if (options.prefilled) results.prefilled_db = await benchPrefilled(options);
  results.user_import = await benchUserImport(options);

  results.machine.loadavg_at_end = loadavg();
  results.derived = computeDerived(results);
  printSummary(results);
  writeResults(join(PROJECT_ROOT, options.out), results);
  const soak = results.edge_auth.soak;
  return soak && !soak.passed ? 1 : 0;
}

/** `--only`: the named scenarios alone (bench/lib/only.mjs), on the dev build of this tree. */
async function runOnly(options) {
  const setup = await runToCompletion(process.execPath, ["scripts/dev-setup.mjs"], {
    cwd: PROJECT_ROOT,
    timeoutMs: 60_000,
  });
  if (setup.code !== 0) throw new Error(`scripts/dev-setup.mjs failed:\n${setup.output}`);
  const bundle = await measureBundle({ config: "wrangler.toml", script: "src/dev.ts", unminified: options.unminified });
  options.prebuiltEntry = bundle.entry;
  const results = {
    generated_at: new Date().toISOString(),
    machine: machine(),
    options,
    ...(await benchOnly(options)),
  };
  // Never over latest.json (a full run's figures) unless asked by name.
  const out = options.outGiven ? options.out : join(tmpdir(), "edge-auth-bench-only.json");
  writeResults(resolve(PROJECT_ROOT, out), results);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error) => {
    console.error(`bench failed: ${error.stack ?? error}`);
    process.exit(1);
  },
);
