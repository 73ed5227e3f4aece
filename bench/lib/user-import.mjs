// Issue 15's scenarios, `import` (bench/lib/import-throughput.mjs) and `first_login`
// (bench/lib/first-login.mjs), on one fresh server: the bench consumer and edge-auth in one workerd,
// the consumer first so that it can mint the admin key over RPC (the only way one is made). edge-auth
// is then not the first Worker, which `--var` reaches, so its variables (sign-up without a code for
// the operator account, Firebase's sample project) go into the snapshot config's .dev.vars. Every
// request passes the consumer's forwarding to edge-auth's HTTP API: one extra Worker invocation,
// the same for every format and for the baseline login with our own hash.
import { randomBytes } from "node:crypto";
import { mintAdminKey } from "./admin-import.mjs";
import { snapshotConfig } from "./bench-config.mjs";
import { startEdgeAuth } from "./edge-auth.mjs";
import { benchFirstLogins } from "./first-login.mjs";
import { benchImportThroughput } from "./import-throughput.mjs";
import { FIREBASE_VARS, ourScryptPhc } from "./legacy-hash-vectors.mjs";
import { configuredPasswordScrypt } from "./wrangler.mjs";

export const IMPORT_SCENARIOS = ["import", "first_login"];
const CONSUMER_CONFIG = "bench/rpc-consumer/wrangler.toml";

export async function benchUserImport(options, only = IMPORT_SCENARIOS) {
  const ourSettings = configuredPasswordScrypt();
  const edgeAuthConfig = snapshotConfig(options.prebuiltEntry, { EMAIL_VERIFICATION: "optional", ...FIREBASE_VARS });
  const server = await startEdgeAuth({
    label: "import",
    configs: [CONSUMER_CONFIG, edgeAuthConfig.config],
    probePath: "/noop",
  }).catch((error) => {
    edgeAuthConfig.remove();
    throw error;
  });
  console.log(`consumer Worker + edge-auth (user import, first logins) on ${server.origin}`);
  try {
    const apiKey = await mintAdminKey(server.origin);
    const results = { password_scrypt: ourSettings };
    // First logins before the bulk import: the export that checks their rehash then reads ~100 users.
    if (only.includes("first_login")) results.first_login = await benchFirstLogins(server, apiKey, ourSettings);
    if (only.includes("import")) {
      const hash = ourScryptPhc(`Bench-${randomBytes(9).toString("base64url")}`, ourSettings);
      results.import = await benchImportThroughput(server, apiKey, hash);
    }
    return results;
  } finally {
    await server.stop();
    edgeAuthConfig.remove();
  }
}
