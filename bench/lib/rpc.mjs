// verifyToken over RPC from a consumer Worker (bench/rpc-consumer) through a real service binding,
// next to a bare jose verify of the same token in the same consumer, and the scrypt probes that
// measure the password hash alone in the same workerd.

import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startEdgeAuth } from "./edge-auth.mjs";
import { measureScenario, profileScenario } from "./load.mjs";
import { getRequest } from "./traffic.mjs";
import { makeTempDir, PROJECT_ROOT } from "./wrangler.mjs";

const CONSUMER_CONFIG = "bench/rpc-consumer/wrangler.toml";

/** `ln=15,r=8,p=3` → the query string of the consumer's /scrypt probe. */
export function scryptQuery(settings, keyLength) {
  const match = /^ln=(\d+),r=(\d+),p=(\d+)$/.exec(settings);
  if (!match) throw new Error(`unreadable scrypt settings: ${settings}`);
  return `ln=${match[1]}&r=${match[2]}&p=${match[3]}&len=${keyLength}`;
}

/**
 * wrangler.toml with `main` pointing at the run's prebuilt bundle (`--var` and the script argument
 * reach only the first Worker of a multi-config session), beside a copy of .dev.vars with `devVars`
 * added (the way to give edge-auth variables when it is not the first Worker), in a temp dir that
 * is removed afterwards. Without a bundle, the project's own wrangler.toml.
 */
export function snapshotConfig(prebuiltEntry, devVars = {}) {
  const extraVars = Object.entries(devVars);
  if (!prebuiltEntry) {
    if (extraVars.length > 0) throw new Error("extra variables for edge-auth need a prebuilt bundle");
    return { config: "wrangler.toml", remove: () => {} };
  }
  const dir = makeTempDir("rpc-config");
  const toml = readFileSync(join(PROJECT_ROOT, "wrangler.toml"), "utf8")
    .replace(/^main = .*$/m, `main = ${JSON.stringify(prebuiltEntry)}\nno_bundle = true`)
    .replace(/^migrations_dir = .*$/m, `migrations_dir = ${JSON.stringify(join(PROJECT_ROOT, "migrations"))}`)
    // The /docs assets, too, are the project's, wherever this copy of the config lies.
    .replace(
      /^directory = "\.\/dist\/docs-assets"$/m,
      `directory = ${JSON.stringify(join(PROJECT_ROOT, "dist", "docs-assets"))}`,
    );
  writeFileSync(join(dir, "wrangler.toml"), toml);
  const devVarsPath = join(PROJECT_ROOT, ".dev.vars");
  const projectVars = existsSync(devVarsPath) ? readFileSync(devVarsPath, "utf8").replace(/\n?$/, "\n") : "";
  // Later lines win over earlier ones, and .dev.vars over wrangler.toml's [vars].
  const added = extraVars.map(([name, value]) => `${name}=${JSON.stringify(String(value))}\n`).join("");
  if (projectVars || added) writeFileSync(join(dir, ".dev.vars"), projectVars + added, { mode: 0o600 });
  return { config: join(dir, "wrangler.toml"), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `accessToken` was issued by an earlier session with the same dev signing keys and issuer. */
export async function benchRpcAndHash(options, { defaultScrypt, peerScrypt, accessToken }) {
  // The consumer's config comes first, so it owns the port; edge-auth runs beside it in one workerd.
  const edgeAuthConfig = snapshotConfig(options.prebuiltEntry);
  const server = await startEdgeAuth({
    label: "rpc",
    configs: [CONSUMER_CONFIG, edgeAuthConfig.config],
    probePath: "/noop",
  }).catch((error) => {
    edgeAuthConfig.remove();
    throw error;
  });
  console.log(`consumer Worker + edge-auth (service binding AUTH -> AuthService) on ${server.origin}`);
  try {
    const run = (scenario) => measureScenario({ origin: server.origin, devPid: server.pid, ...scenario });
    const bearer = { authorization: `Bearer ${accessToken}` };
    const seconds = options.durationSeconds;
    const scenarios = {};
    scenarios.consumer_noop = await run({
      name: "consumer GET /noop",
      requests: [getRequest("/noop")],
      durationSeconds: seconds,
    });
    scenarios.rpc_verify = await run({
      name: "consumer -> AUTH.verifyToken (RPC)",
      requests: [getRequest("/verify", bearer)],
      durationSeconds: seconds,
    });
    scenarios.bare_jose_verify = await run({
      name: "consumer bare jose jwtVerify",
      requests: [getRequest("/bare", bearer)],
      durationSeconds: seconds,
    });
    scenarios.scrypt_default = await run({
      name: `scrypt alone (${defaultScrypt}, 32 B)`,
      requests: [getRequest(`/scrypt?${scryptQuery(defaultScrypt, 32)}`)],
      amount: options.hashRequests,
      timeoutSeconds: 120,
    });
    scenarios.scrypt_peer_params_32 = await run({
      name: `scrypt alone (${peerScrypt}, 32 B)`,
      requests: [getRequest(`/scrypt?${scryptQuery(peerScrypt, 32)}`)],
      amount: options.hashRequests * 2,
      timeoutSeconds: 120,
    });
    // Better Auth derives a 64-byte key with the same N, r, p.
    scenarios.scrypt_peer_params_64 = await run({
      name: `scrypt alone (${peerScrypt}, 64 B)`,
      requests: [getRequest(`/scrypt?${scryptQuery(peerScrypt, 64)}`)],
      amount: options.hashRequests * 2,
      timeoutSeconds: 120,
    });
    if (!options.profile) return { scenarios };
    const profile = (scenario) => profileScenario({ origin: server.origin, devPid: server.pid, ...scenario });
    const profiles = {
      consumer_noop: await profile({ name: "consumer GET /noop", requests: [getRequest("/noop")] }),
      rpc_verify: await profile({ name: "consumer -> AUTH.verifyToken", requests: [getRequest("/verify", bearer)] }),
      bare_jose_verify: await profile({ name: "consumer bare jose", requests: [getRequest("/bare", bearer)] }),
    };
    return { scenarios, profiles };
  } finally {
    await server.stop();
    edgeAuthConfig.remove();
  }
}
