// Drives the project's own wrangler: local D1 migrations, `wrangler dev` on a free loopback port,
// `deploy --dry-run` for the bundle size and `check startup` for the startup profile.
import { existsSync, mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { gzipSync } from "node:zlib";
import { runToCompletion, startChild, stopChild } from "./children.mjs";

export const PROJECT_ROOT = new URL("../../", import.meta.url).pathname;
const WRANGLER = join(PROJECT_ROOT, "node_modules/wrangler/bin/wrangler.js");
// wrangler 4 needs node 22; the `node` devDependency provides it even where the system node is older.
const PROJECT_NODE = join(PROJECT_ROOT, "node_modules/.bin/node");
const NODE = existsSync(PROJECT_NODE) ? PROJECT_NODE : process.execPath;
const WRANGLER_ENV = { WRANGLER_SEND_METRICS: "false", NO_COLOR: "1", FORCE_COLOR: "0" };
const READY_TIMEOUT_MS = 120_000;

/** wrangler.toml's PASSWORD_SCRYPT: the scrypt setting production runs with. */
export function configuredPasswordScrypt() {
  const match = /^PASSWORD_SCRYPT\s*=\s*"([^"]+)"/m.exec(readFileSync(join(PROJECT_ROOT, "wrangler.toml"), "utf8"));
  if (!match?.[1]) throw new Error("PASSWORD_SCRYPT not found in wrangler.toml [vars]");
  return match[1];
}

export function makeTempDir(label) {
  return mkdtempSync(join(tmpdir(), `edge-auth-bench-${label}-`));
}

export function freeLoopbackPort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function wrangler(args, { cwd = PROJECT_ROOT, timeoutMs } = {}) {
  const result = await runToCompletion(NODE, [WRANGLER, ...args], { cwd, env: WRANGLER_ENV, timeoutMs });
  if (result.code !== 0) {
    throw new Error(
      `wrangler ${args.join(" ")} failed (${result.code ?? result.signal}):\n${result.output.slice(-3000)}`,
    );
  }
  return result.output;
}

export function applyLocalMigrations({ config, persistTo, cwd }) {
  return wrangler(["d1", "migrations", "apply", "DB", "--local", "-c", config, "--persist-to", persistTo], { cwd });
}

async function waitForFirstOk(url, deadline, log) {
  for (let attempt = 0; attempt < 2_000 && Date.now() < deadline; attempt++) {
    const started = performance.now();
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      await response.arrayBuffer();
      if (response.ok) return performance.now() - started;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no 200 from ${url} within ${READY_TIMEOUT_MS} ms; wrangler said:\n${log().slice(-3000)}`);
}

/**
 * `wrangler dev` with the given configs (the first one owns the port) on a fresh persist dir.
 * Resolves once `probePath` answers 200, with the spawn-to-ready time and the first answer's latency.
 */
export async function startDevServer({
  configs,
  persistTo,
  vars = {},
  probePath = "/health",
  cwd = PROJECT_ROOT,
  prebuiltEntry,
}) {
  const port = await freeLoopbackPort();
  const args = [WRANGLER, "dev", ...configs.flatMap((config) => ["-c", config])];
  // A bundle built once for the whole run: a source edit during the run cannot reload the Worker.
  if (prebuiltEntry) args.push(prebuiltEntry, "--no-bundle");
  args.push("--persist-to", persistTo, "--ip", "127.0.0.1", "--port", String(port), "--log-level", "warn");
  args.push("--inspector-port", String(await freeLoopbackPort()));
  for (const [name, value] of Object.entries(vars)) args.push("--var", `${name}:${value}`);
  let log = "";
  const spawnedAt = performance.now();
  const handle = startChild(NODE, args, {
    cwd,
    env: WRANGLER_ENV,
    onOutput: (text) => (log = (log + text).slice(-20_000)),
  });
  const origin = `http://127.0.0.1:${port}`;
  try {
    const firstResponseMs = await Promise.race([
      waitForFirstOk(`${origin}${probePath}`, Date.now() + READY_TIMEOUT_MS, () => log),
      handle.exited.then(({ code }) => Promise.reject(new Error(`wrangler dev exited (${code}):\n${log}`))),
    ]);
    return {
      origin,
      pid: handle.child.pid,
      spawnToReadyMs: performance.now() - spawnedAt,
      firstResponseMs,
      log: () => log,
      stop: () => stopChild(handle),
    };
  } catch (error) {
    await stopChild(handle);
    throw error;
  }
}

const sizeInKib = (text, label) => {
  const match = new RegExp(`${label}: ([\\d.]+) KiB`).exec(text);
  return match ? Math.round(Number(match[1]) * 1024) : null;
};

/** What the bundle is made of: output bytes per npm package (and the project's own source). */
function bytesByPackage(metafile) {
  if (!existsSync(metafile)) return null;
  const meta = JSON.parse(readFileSync(metafile, "utf8"));
  const totals = {};
  for (const output of Object.values(meta.outputs ?? {})) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs ?? {})) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
      const owner = match?.[1] ?? (input.includes("node_modules") ? "other" : "(own source)");
      totals[owner] = (totals[owner] ?? 0) + bytesInOutput;
    }
  }
  return Object.fromEntries(Object.entries(totals).sort((a, b) => b[1] - a[1]));
}

/** The deployable bundle (`entry` is its main module): every module wrangler would upload (source maps excluded), gzip -9. */
export async function measureBundle({ config, script, cwd = PROJECT_ROOT, unminified = false }) {
  const outdir = makeTempDir("bundle");
  const metafile = join(makeTempDir("bundle-meta"), "meta.json");
  // `script` replaces the config's main (the dev build, src/dev.ts); by default it is the deployable one.
  const entry = script ? [script] : [];
  const mainName = script ? basename(script).replace(/\.[cm]?[jt]s$/, "") : "index";
  const args = ["deploy", ...entry, "--dry-run", "-c", config, "--outdir", outdir, "--metafile", metafile];
  // For readable names in a profile (`--unminified`); the measured size is then not the deployed one.
  if (unminified) args.push("--no-minify");
  const output = await wrangler(args, { cwd });
  const modules = readdirSync(outdir).filter((name) => /\.(m?js|wasm|cjs)$/.test(name));
  let rawBytes = 0;
  let gzipBytes = 0;
  for (const name of modules) {
    const bytes = readFileSync(join(outdir, name));
    rawBytes += bytes.length;
    gzipBytes += gzipSync(bytes, { level: 9 }).length;
  }
  const upload = /Total Upload: ([\d.]+) KiB \/ gzip: ([\d.]+) KiB/.exec(output);
  return {
    entry: join(outdir, modules.find((name) => name.startsWith(`${mainName}.`)) ?? `${mainName}.js`),
    modules,
    raw_bytes: rawBytes,
    gzip_bytes: gzipBytes,
    wrangler_reported_raw_bytes: upload ? sizeInKib(output, "Total Upload") : null,
    wrangler_reported_gzip_bytes: upload ? sizeInKib(output, "gzip") : null,
    raw_bytes_by_package: bytesByPackage(metafile),
  };
}

/** `wrangler check startup`: a CPU profile of the Worker's startup phase in local workerd. */
export async function measureStartupProfile({ config, cwd = PROJECT_ROOT }) {
  const outfile = join(makeTempDir("startup"), "startup.cpuprofile");
  const output = await wrangler(["check", "startup", "-c", config, "--outfile", outfile], { cwd });
  const number = (label) => {
    const match = new RegExp(`${label}: ([\\d.]+) ms`).exec(output);
    return match ? Number(match[1]) : null;
  };
  return {
    active_cpu_ms: number("Active"),
    profile_window_ms: number("Profile window"),
    sampled_ms: number("Sampled time"),
    idle_ms: number("Idle"),
    gc_ms: (() => {
      const match = /including ([\d.]+) ms garbage collection/.exec(output);
      return match ? Number(match[1]) : null;
    })(),
  };
}
