// Fails when the deployable bundle outgrows its budget: the modules `wrangler deploy --dry-run`
// would upload (source maps excluded), gzip -9, as the bench measures them (bench/lib/wrangler.mjs).
// The static assets (the /docs UI) are not part of the Worker's bundle and are not counted.
import { join } from "node:path";
import { build } from "esbuild";
import { measureBundle, PROJECT_ROOT } from "../bench/lib/wrangler.mjs";
import { WORKER_BUILD_OPTIONS } from "./worker-build.mjs";

/**
 * About 190 KB with organizations, social login (oauth4webapi ~7 KB), the admin API and imported
 * hashes (bcryptjs ~8 KB, noble argon2 ~6 KB); Workers accept 3 MB gzip on the Free plan. The budget
 * is ours: it keeps startup small and makes every large addition a decision.
 */
const BUDGET_GZIP_BYTES = 210 * 1000;

const bundle = await measureBundle({ config: join(PROJECT_ROOT, "wrangler.toml") });
const kb = (bytes) => `${(bytes / 1000).toFixed(1)} KB`;
console.log(`bundle: ${kb(bundle.gzip_bytes)} gzip (${kb(bundle.raw_bytes)} raw), budget ${kb(BUDGET_GZIP_BYTES)}`);
if (bundle.gzip_bytes > BUDGET_GZIP_BYTES) {
  const largest = Object.entries(bundle.raw_bytes_by_package).slice(0, 5);
  console.error(
    `bundle over budget; largest raw contributors: ${largest.map(([name, bytes]) => `${name} ${kb(bytes)}`).join(", ")}`,
  );
  process.exit(1);
}

// The dev build's own modules (src/dev.ts: the dev identity provider) must not reach the deployable one.
const DEV_ONLY = /(^|\/)(src\/dev\.ts|dev-idp[^/]*\.ts)$/;
const { metafile } = await build({
  ...WORKER_BUILD_OPTIONS,
  metafile: true,
  entryPoints: [join(PROJECT_ROOT, "src/index.ts")],
});
const leaked = Object.keys(metafile.inputs).filter(
  (input) => DEV_ONLY.test(input) && !input.endsWith("dev-idp-slot.ts"),
);
if (leaked.length > 0) {
  console.error(`the deployable bundle holds dev-only modules: ${leaked.join(", ")}`);
  process.exit(1);
}
