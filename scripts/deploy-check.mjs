// Refuses `npm run deploy` before anything reaches Cloudflare when wrangler.toml or the Worker's
// secrets are not ready for production; the rules are in deploy-check-rules.mjs.
//
//   node scripts/deploy-check.mjs [--env NAME] [--config wrangler.toml]
//
// The environment is `--env`, else CLOUDFLARE_ENV (which wrangler itself honours, so
// `CLOUDFLARE_ENV=production npm run deploy` checks and deploys the same one). Secret names come
// from `wrangler secret list`, or from DEPLOY_CHECK_SECRETS=NAME,NAME (offline, CI, tests).

import { spawnSync } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { unstable_readConfig } from "wrangler";
import { deployProblems } from "./deploy-check-rules.mjs";

const { values } = parseArgs({
  options: { env: { type: "string", short: "e" }, config: { type: "string", short: "c", default: "wrangler.toml" } },
});
const envName = values.env ?? (process.env.CLOUDFLARE_ENV || undefined);

/** The secret names, or the reason they could not be listed (then the deploy is refused). */
function secretNames() {
  const override = process.env.DEPLOY_CHECK_SECRETS;
  if (override !== undefined) return { names: override.split(",").flatMap((name) => name.trim() || []) };
  const wrangler = join(dirname(createRequire(import.meta.url).resolve("wrangler/package.json")), "bin/wrangler.js");
  const target = ["--config", values.config, ...(envName ? ["--env", envName] : [])];
  const run = spawnSync(process.execPath, [wrangler, "secret", "list", "--format", "json", ...target], {
    encoding: "utf8",
  });
  // Only names are read; `wrangler secret list` never prints values. The JSON is the line opening with [.
  const start = run.stdout?.search(/^\[/m) ?? -1;
  if (run.status === 0 && start >= 0) {
    try {
      return { names: JSON.parse(run.stdout.slice(start)).map((secret) => secret.name) };
    } catch {}
  }
  // wrangler's own error line (colours stripped), else its first line of output.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI colour codes start with ESC
  const lines = `${run.stderr ?? ""}\n${run.stdout ?? ""}`.replace(/\u001b\[[\d;]*m/g, "").split("\n");
  const said = lines.find((line) => line.includes("ERROR")) ?? lines.find((line) => line.trim() !== "");
  const reason = (said ?? run.error?.message ?? `exit ${run.status}`).replace(/^\W*\[ERROR\]\s*/, "").trim();
  return { error: `cannot list the Worker's secrets: ${reason} (or name them: DEPLOY_CHECK_SECRETS=NAME,…)` };
}

let config;
try {
  config = unstable_readConfig({ config: values.config, env: envName }, { hideWarnings: true });
} catch (error) {
  console.error(`deploy-check: cannot read ${values.config}: ${error instanceof Error ? error.message : error}`);
  process.exit(1);
}
const secrets = secretNames();
const problems = [...(secrets.error ? [secrets.error] : []), ...deployProblems(config, secrets.names ?? null)];
const target = `${values.config}${envName ? ` [env.${envName}]` : ""}`;
if (problems.length > 0) {
  console.error(`deploy-check: refusing to deploy ${target}:`);
  for (const problem of problems) console.error(`  - ${problem}`);
  process.exit(1);
}
console.log(`deploy-check: ${target} is ready to deploy`);
