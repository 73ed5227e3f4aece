// Tests run inside workerd through Cloudflare's vitest integration: real D1 with the real
// migrations applied, real KV and the real rate-limit binding from wrangler.toml. The example
// consumer Worker runs beside it as a second Worker, bound to the one under test by a real service
// binding, so the RPC tests cross the same boundary a user's Worker does.
import { cloudflareTest, getRunnerName, readD1Migrations } from "@cloudflare/vitest-plugin";
import { build } from "esbuild";
import { defineConfig } from "vitest/config";
import type { TestProject } from "vitest/node";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
// @ts-expect-error: a plain .mjs script shared with `npm run dev` and `npm run deploy`
import { buildDocsAssets } from "./scripts/docs-assets.mjs";
// @ts-expect-error: a plain .mjs script shared with `npm run dev`
import { generateSigningKey } from "./scripts/signing-keys.mjs";

const PROJECT_NAME = "edge-auth";
const CONSUMER_DIR = "./examples/consumer-worker";

/**
 * The example consumer Worker as its own wrangler.toml describes it. Auxiliary Workers take JavaScript,
 * so its TypeScript is bundled here. Its AUTH binding names "edge-auth", but the plugin renames the
 * Worker under test to a runner named after the Vitest project, so the binding is pointed there.
 */
async function consumerWorker() {
  const { workerOptions } = unstable_getMiniflareWorkerOptions(`${CONSUMER_DIR}/wrangler.toml`);
  const auth = (workerOptions.serviceBindings as Record<string, { entrypoint?: string }> | undefined)?.AUTH;
  if (!auth?.entrypoint) throw new Error(`${CONSUMER_DIR}/wrangler.toml: no AUTH service binding with an entrypoint`);
  const bundle = await build({
    entryPoints: [`${CONSUMER_DIR}/src/index.ts`],
    bundle: true,
    format: "esm",
    platform: "neutral",
    write: false,
  });
  return {
    ...workerOptions,
    name: "consumer-worker",
    modules: [{ type: "ESModule" as const, path: "index.mjs", contents: bundle.outputFiles[0]?.text ?? "" }],
    serviceBindings: {
      AUTH: { name: getRunnerName({ name: PROJECT_NAME } as TestProject), entrypoint: auth.entrypoint },
    },
  };
}

export default defineConfig(async () => {
  // wrangler.toml's [assets] directory must exist before the pool reads the config (a fresh clone has none).
  buildDocsAssets();
  const migrations = await readD1Migrations("./migrations");
  const current = await generateSigningKey("ES256");
  const retiring = await generateSigningKey("EdDSA");
  return {
    plugins: [
      cloudflareTest({
        main: "./src/index.ts",
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          bindings: {
            TEST_MIGRATIONS: migrations,
            SIGNING_KEYS: JSON.stringify({ keys: [current, retiring] }),
            ISSUER: "https://auth.test",
            AUDIENCE: "edge-auth-test",
            CORS_ORIGINS: "https://app.test",
            OTP_SECRET: "test-otp-secret-0123456789abcdef0123456789",
            // 32 bytes, base64url: the AES-256-GCM key for TOTP secrets.
            TOTP_ENCRYPTION_KEY: "dGVzdC10b3RwLWtleS0wMTIzNDU2Nzg5YWJjZGVmMDE",
            // Most suites exercise sessions directly; the mail-flow suites turn verification on.
            EMAIL_VERIFICATION: "optional",
            MAIL_PROVIDER: "outbox",
            SMS_PROVIDER: "outbox",
            // The plugin also reads .dev.vars; pin what `npm run dev` writes there for local use.
            DEV_OUTBOX: "false",
            // Tests hash many passwords; production's default (ln=15) is held to the caps in crypto tests.
            PASSWORD_SCRYPT: "ln=10,r=8,p=1",
          },
          // Tests reach the consumer the way its clients would: over HTTP, through a service binding.
          serviceBindings: { CONSUMER: "consumer-worker" },
          workers: [await consumerWorker()],
        },
      }),
    ],
    test: {
      name: PROJECT_NAME,
      setupFiles: ["./test/setup/apply-migrations.ts"],
      include: ["test/**/*.test.ts"],
      // Logs of refused requests are expected; show them only for failing tests.
      silent: "passed-only" as const,
    },
  };
});
