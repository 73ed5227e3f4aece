// Fails when the deployable bundle outgrows its budget: the modules `wrangler deploy --dry-run`
// would upload (source maps excluded), gzip -9, as the bench measures them (bench/lib/wrangler.mjs).
// The static assets (the /docs UI) are not part of the Worker's bundle and are not counted.
import { join } from "node:path";
import { measureBundle, PROJECT_ROOT } from "../bench/lib/wrangler.mjs";

/** About 100 KB today; the budget leaves room for the dialects and providers still to come. */
const BUDGET_GZIP_BYTES = 160 * 1000;

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
