// `npm run test:browser`: /docs in a real headless Chromium against `wrangler dev` — the UI renders our
// endpoints from same-origin assets, breaks no CSP rule and asks nothing of any other origin.
// Not part of `npm test` (that needs nothing but Node): it needs Debian's chromium at /usr/bin/chromium.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { freeLoopbackPort } from "../bench/lib/wrangler.mjs";
import { checkSocialSignIn, socialDevVars, startSpa } from "./browser-social.mjs";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SCREENSHOT = process.env.DOCS_SCREENSHOT ?? "/tmp/docs.png";
const STARTUP_TIMEOUT_MS = 90_000;

/** Runs wrangler through npx, which puts the project's Node 22 (wrangler needs it) first on PATH. */
function wrangler(args, options = {}) {
  return spawn("npx", ["wrangler", ...args], {
    cwd: ROOT,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" },
    stdio: ["ignore", "pipe", "pipe"],
    ...options,
  });
}

function runToEnd(child) {
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => (code === 0 ? resolve(output) : reject(new Error(`exit ${code}\n${output}`))));
  });
}

async function waitForHealth(origin, server, log) {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (server.exitCode !== null) throw new Error(`wrangler dev exited (${server.exitCode}):\n${log()}`);
    try {
      const response = await fetch(`${origin}/health`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`no /health within ${STARTUP_TIMEOUT_MS / 1000} s:\n${log()}`);
}

/** Ends wrangler dev and everything it started (it runs in its own process group). */
async function stop(server) {
  if (server.exitCode !== null || server.signalCode !== null) return;
  const exited = new Promise((resolve) => server.once("exit", resolve));
  process.kill(-server.pid, "SIGTERM");
  const timer = setTimeout(() => process.kill(-server.pid, "SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

const results = [];
async function check(name, body) {
  try {
    await body();
    results.push({ name, ok: true });
    console.log(`✓ ${name}`);
  } catch (error) {
    results.push({ name, ok: false });
    console.log(`✗ ${name}\n  ${String(error?.stack ?? error).replaceAll("\n", "\n  ")}`);
  }
}

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

// The same preparation as `npm run dev` (.dev.vars and the docs assets), with state in a throwaway
// directory so this run neither reads nor disturbs a developer's local D1 and KV.
await import("./dev-setup.mjs");
const state = mkdtempSync(join(tmpdir(), "edge-auth-browser-"));
const port = await freeLoopbackPort();
const inspectorPort = await freeLoopbackPort();
const origin = `http://127.0.0.1:${port}`;
// Social login's SPA (scripts/browser-social.mjs), on its own port.
const spaPort = await freeLoopbackPort();
const spaOrigin = `http://127.0.0.1:${spaPort}`;
const devArgs = [
  "dev",
  // The dev build (the dev identity provider included), as `npm run dev` runs it.
  "src/dev.ts",
  "--ip",
  "127.0.0.1",
  "--port",
  String(port),
  "--inspector-port",
  String(inspectorPort),
  "--persist-to",
  state,
  "--show-interactive-dev-session=false",
  // The OpenAPI document names this origin as its server, so "Try it out" stays same-origin.
  "--var",
  `ISSUER:${origin}`,
  ...socialDevVars(spaOrigin),
];

let server;
let serverLog = "";
let browser;
let spa;
try {
  spa = await startSpa(spaPort, origin);
  await runToEnd(wrangler(["d1", "migrations", "apply", "DB", "--local", "--persist-to", state]));
  server = wrangler(devArgs, { detached: true });
  server.stdout.on("data", (chunk) => (serverLog += chunk));
  server.stderr.on("data", (chunk) => (serverLog += chunk));
  await waitForHealth(origin, server, () => serverLog);
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true });
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 } });

  // Every request the page makes; any other origin is refused here as well as recorded, so the run
  // works offline and a stray CDN load shows up as a failure rather than a slow page.
  const requests = [];
  const foreign = [];
  await context.route("**/*", (route) => {
    const url = route.request().url();
    requests.push(url);
    if (url.startsWith(`${origin}/`) || url.startsWith("data:")) return route.continue();
    foreign.push(url);
    return route.abort("blockedbyclient");
  });
  const page = await context.newPage();
  const consoleErrors = [];
  page.on("console", (message) => {
    if (message.type() === "error" || /Content Security Policy/i.test(message.text())) {
      consoleErrors.push(message.text());
    }
  });
  page.on("pageerror", (error) => consoleErrors.push(`pageerror: ${error.message}`));
  // Counted in the page itself as well: the event fires for every violation, console or not.
  await page.addInitScript(() => {
    window.__cspViolations = [];
    document.addEventListener("securitypolicyviolation", (event) => {
      window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`);
    });
  });

  const response = await page.goto(`${origin}/docs`, { waitUntil: "load" });

  await check("GET /docs answers 200 with the strict CSP", async () => {
    assert(response?.status() === 200, `status ${response?.status()}`);
    const csp = (await response.allHeaders())["content-security-policy"] ?? "";
    assert(/script-src 'self'(;|$)/.test(csp), `CSP: ${csp}`);
    assert(/frame-ancestors 'none'/.test(csp), `CSP: ${csp}`);
  });

  await check("the rendered UI lists the endpoints from /openapi.json", async () => {
    await page.waitForSelector(".opblock-summary-path", { timeout: 30_000 });
    const paths = await page.$$eval(".opblock-summary-path", (nodes) =>
      // Swagger UI puts zero-width spaces after slashes (line-break points); a reader sees none.
      nodes.map((node) => node.textContent?.replace(/\u200b/g, "").trim()),
    );
    for (const path of ["/v1/login", "/v1/signup", "/v1/token/refresh", "/v1/me"]) {
      assert(paths.includes(path), `${path} not among ${paths.length} listed paths: ${paths.join(", ")}`);
    }
    const title = await page.textContent(".info .title");
    assert(title?.includes("edge-auth"), `title: ${title}`);
  });

  await check("an endpoint opens to show its details", async () => {
    await page.click(`.opblock-post .opblock-summary-path[data-path="/v1/login"]`);
    await page.waitForSelector(".opblock.is-open .opblock-body", { timeout: 10_000 });
    const body = await page.textContent(".opblock.is-open .opblock-body");
    assert(/Responses/.test(body ?? ""), "no responses section in the opened operation");
  });

  await page.screenshot({ path: SCREENSHOT });
  console.log(`screenshot: ${SCREENSHOT}`);

  await check("Swagger UI resolves /openapi.json without errors", async () => {
    const documentErrors = await page.locator(".errors-wrapper").allTextContents();
    assert(documentErrors.length === 0, `Swagger UI reports: ${documentErrors[0]?.slice(0, 300)}`);
  });

  await check("no Content Security Policy violation was reported", async () => {
    const violations = await page.evaluate(() => window.__cspViolations);
    const cspConsole = consoleErrors.filter((text) => /Content Security Policy/i.test(text));
    assert(violations.length === 0 && cspConsole.length === 0, [...violations, ...cspConsole].join("\n"));
  });

  await check("no console errors", async () => {
    assert(consoleErrors.length === 0, consoleErrors.join("\n"));
  });

  await check("no request left this origin, and the UI's files came from it", async () => {
    assert(foreign.length === 0, `requests to other origins: ${foreign.join(", ")}`);
    for (const path of ["/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css", "/docs/init.js", "/openapi.json"]) {
      assert(requests.includes(`${origin}${path}`), `${path} was never requested`);
    }
  });

  await check("static assets carry nosniff and a CSP from _headers", async () => {
    for (const path of ["/docs/swagger-ui-bundle.js", "/docs/swagger-ui.css", "/docs/init.js"]) {
      const asset = await fetch(`${origin}${path}`);
      assert(asset.status === 200, `${path}: status ${asset.status}`);
      assert(asset.headers.get("x-content-type-options") === "nosniff", `${path}: no nosniff`);
      assert(/frame-ancestors 'none'/.test(asset.headers.get("content-security-policy") ?? ""), `${path}: no CSP`);
      await asset.arrayBuffer();
    }
  });

  await checkSocialSignIn({ browser, origin, spaOrigin, check, assert });
} catch (error) {
  results.push({ name: "setup", ok: false });
  console.log(`✗ setup\n  ${String(error?.stack ?? error).replaceAll("\n", "\n  ")}`);
} finally {
  await browser?.close();
  spa?.close();
  if (server) await stop(server);
  rmSync(state, { recursive: true, force: true });
}

const failed = results.filter((result) => !result.ok).length;
if (failed > 0 && serverLog) console.log(`wrangler dev output:\n${serverLog}`);
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exitCode = failed > 0 ? 1 : 0;
