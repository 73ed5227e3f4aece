// The edge-auth config every bench server starts from (snapshotConfig, below).
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { makeTempDir, PROJECT_ROOT } from "./wrangler.mjs";

/**
 * The project's wrangler.toml as the bench runs it, in a temp dir that is removed afterwards: `main`
 * pointing at the run's prebuilt bundle (`--var` and the script argument reach only the first Worker
 * of a multi-config session) or at the project's entry, paths made absolute, beside a copy of
 * .dev.vars with `devVars` added (the way to give edge-auth variables when it is not the first
 * Worker), and without the `[assets]` table: locally, assets put miniflare's asset-router Worker in
 * front of every request (about 0.3 ms of workerd CPU and a quarter of `/health`'s throughput here),
 * where in production Cloudflare looks the asset up before the Worker runs and bills the Worker
 * nothing for it. No scenario reads /docs, and the peer has no assets either (bench/README.md).
 */
export function snapshotConfig(prebuiltEntry, devVars = {}) {
  const extraVars = Object.entries(devVars);
  const dir = makeTempDir("bench-config");
  const main = prebuiltEntry
    ? `main = ${JSON.stringify(prebuiltEntry)}\nno_bundle = true`
    : (line) => `main = ${JSON.stringify(join(PROJECT_ROOT, JSON.parse(line.slice("main = ".length))))}`;
  const toml = readFileSync(join(PROJECT_ROOT, "wrangler.toml"), "utf8")
    .replace(/^main = .*$/m, main)
    .replace(/^migrations_dir = .*$/m, `migrations_dir = ${JSON.stringify(join(PROJECT_ROOT, "migrations"))}`)
    .replace(/^\[assets\]\n(?:[^[\n].*\n|\n)*?(?=\n|\[)/m, "");
  if (/^\[assets\]/m.test(toml)) throw new Error("bench: could not leave [assets] out of wrangler.toml");
  writeFileSync(join(dir, "wrangler.toml"), toml);
  const devVarsPath = join(PROJECT_ROOT, ".dev.vars");
  const projectVars = existsSync(devVarsPath) ? readFileSync(devVarsPath, "utf8").replace(/\n?$/, "\n") : "";
  // Later lines win over earlier ones, and .dev.vars over wrangler.toml's [vars].
  const added = extraVars.map(([name, value]) => `${name}=${JSON.stringify(String(value))}\n`).join("");
  if (projectVars || added) writeFileSync(join(dir, ".dev.vars"), projectVars + added, { mode: 0o600 });
  return { config: join(dir, "wrangler.toml"), remove: () => rmSync(dir, { recursive: true, force: true }) };
}
