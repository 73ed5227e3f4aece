// What each dialect adds to the Worker's bundle (issue 11: under 5 KB gzip each): the bundle built
// as wrangler builds it (scripts/worker-build.mjs, minified as wrangler.toml asks), once whole and
// once per dialect with that dialect's module swapped for an empty one; the difference, gzip -9, is
// what it costs. The empty one still imports (for their effects only) the core modules the dialect's
// own files import, in the same order, so shared code is emitted where it was; code only the dialect
// uses is tree-shaken away with it and counts against the dialect.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { WORKER_BUILD_OPTIONS } from "./worker-build.mjs";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const DIALECTS = ["crema", "bookings", "nap", "wolfpal", "bioentrust"];
const BUDGET_GZIP_BYTES = 5 * 1000;

/** The modules outside src/dialects that the dialect's own files import, in the order they appear. */
function outsideImports(name) {
  const dir = join(ROOT, "src", "dialects");
  const own = readdirSync(dir).filter((file) => file === `${name}.ts` || file.startsWith(`${name}-`));
  const found = new Set();
  for (const file of own) {
    for (const match of readFileSync(join(dir, file), "utf8").matchAll(/from "(\.\.\/[^"]+)"/g)) {
      found.add(resolve(dir, match[1]));
    }
  }
  return [...found];
}

/** An esbuild plugin that resolves src/dialects/<name>.ts, imported by the registry, to an empty dialect. */
const without = (name) => ({
  name: `without-${name}`,
  setup(builder) {
    builder.onResolve({ filter: new RegExp(`^\\./${name}$`) }, (args) =>
      args.importer.endsWith(join("src", "dialects", "index.ts"))
        ? { path: name, namespace: "empty-dialect" }
        : undefined,
    );
    builder.onLoad({ filter: /.*/, namespace: "empty-dialect" }, () => ({
      contents: `${outsideImports(name)
        .map((path) => `import ${JSON.stringify(path)};\n`)
        .join(
          "",
        )}import { Hono } from "hono";\nexport const ${name} = { routes: new Hono(), failureResponse: () => new Response(null), corsRequestHeaders: [], operations: [] };`,
      resolveDir: join(ROOT, "src", "dialects"),
      loader: "js",
    }));
  },
});

async function gzipBytes(plugins) {
  // Minified, as wrangler.toml has wrangler build what it deploys.
  const result = await build({
    ...WORKER_BUILD_OPTIONS,
    minify: true,
    entryPoints: [join(ROOT, "src", "index.ts")],
    plugins,
  });
  return gzipSync(result.outputFiles[0]?.contents ?? new Uint8Array(), { level: 9 }).length;
}

/** Bytes gzip each dialect adds to the bundle. */
export async function measureDialectSizes() {
  const whole = await gzipBytes([]);
  const costs = {};
  for (const name of DIALECTS) costs[name] = whole - (await gzipBytes([without(name)]));
  return costs;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const costs = await measureDialectSizes();
  const kb = (bytes) => `${(bytes / 1000).toFixed(1)} KB`;
  console.log(`dialects, gzip each adds: ${DIALECTS.map((name) => `${name} ${kb(costs[name])}`).join(", ")}`);
  const over = DIALECTS.filter((name) => costs[name] > BUDGET_GZIP_BYTES);
  if (over.length > 0) {
    console.error(`over the ${kb(BUDGET_GZIP_BYTES)} budget per dialect: ${over.join(", ")}`);
    process.exit(1);
  }
}
