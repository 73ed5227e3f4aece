// Builds the Workers Static Assets directory for /docs: the pinned swagger-ui-dist build copied out of
// node_modules, our init script and the _headers file. Run by `npm run dev`, `npm test` (vitest.config.ts)
// and `npm run deploy`; the output is git-ignored, so no vendored bundle is ever committed.
import { copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
/** wrangler.toml's `[assets] directory`. */
export const DOCS_ASSETS_DIR = join(root, "dist", "docs-assets");

// Only what the page loads, plus the licence the Apache-2.0 build asks to travel with it.
const FROM_SWAGGER_UI = ["swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE"];
const FROM_DOCS_UI = ["init.js"];

/** Copies only what changed: parallel test runs and a running `wrangler dev` may be reading these files. */
function copyIfChanged(from, to) {
  if (existsSync(to) && readFileSync(from).equals(readFileSync(to))) return;
  copyFileSync(from, to);
}

export function buildDocsAssets() {
  const require = createRequire(import.meta.url);
  const swaggerUi = dirname(require.resolve("swagger-ui-dist/package.json"));
  const docsUi = join(root, "docs-ui");
  // Served under /docs/… (the page itself, /docs, stays with the Worker: there is no docs/index.html).
  mkdirSync(join(DOCS_ASSETS_DIR, "docs"), { recursive: true });
  for (const file of FROM_SWAGGER_UI) copyIfChanged(join(swaggerUi, file), join(DOCS_ASSETS_DIR, "docs", file));
  for (const file of FROM_DOCS_UI) copyIfChanged(join(docsUi, file), join(DOCS_ASSETS_DIR, "docs", file));
  copyIfChanged(join(docsUi, "_headers"), join(DOCS_ASSETS_DIR, "_headers"));
  return DOCS_ASSETS_DIR;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`docs-assets: wrote ${buildDocsAssets()}`);
}
