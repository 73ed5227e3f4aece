// verifyToken over RPC from a consumer Worker (bench/rpc-consumer) through a real service binding,
// next to a bare jose verify of the same token in the same consumer, and the scrypt probes that
// measure the password hash alone in the same workerd.

import { snapshotConfig } from "./bench-config.mjs";
import { startEdgeAuth } from "./edge-auth.mjs";
import { measureScenario, profileScenario } from "./load.mjs";
import { getRequest } from "./traffic.mjs";

const CONSUMER_CONFIG = "bench/rpc-consumer/wrangler.toml";

/** `ln=15,r=8,p=3` → the query string of the consumer's /scrypt probe. */
export function scryptQuery(settings, keyLength) {
  const match = /^ln=(\d+),r=(\d+),p=(\d+)$/.exec(settings);
  if (!match) throw new Error(`unreadable scrypt settings: ${settings}`);
  return `ln=${match[1]}&r=${match[2]}&p=${match[3]}&len=${keyLength}`;
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
