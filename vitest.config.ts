// Tests run inside workerd through Cloudflare's vitest integration: real D1 with the real
// migrations applied, real KV and the real rate-limit binding from wrangler.toml. The example
// consumer Worker runs beside it as a second Worker, bound to the one under test by a real service
// binding, so the RPC tests cross the same boundary a user's Worker does; two more copies of it call
// copies of edge-auth whose env is broken on purpose (no D1 tables, no SIGNING_KEYS).
import { generateKeyPairSync } from "node:crypto";
import { cloudflareTest, getRunnerName, readD1Migrations } from "@cloudflare/vitest-plugin";
import { build } from "esbuild";
import { defineConfig } from "vitest/config";
import type { TestProject } from "vitest/node";
import { unstable_getMiniflareWorkerOptions } from "wrangler";
// @ts-expect-error: a plain .mjs script shared with `npm run dev` and `npm run deploy`
import { buildDocsAssets } from "./scripts/docs-assets.mjs";
// @ts-expect-error: a plain .mjs script shared with `npm run dev`
import { generateSigningKey } from "./scripts/signing-keys.mjs";
// @ts-expect-error: a plain .mjs script shared with scripts/dialect-size.mjs
import { WORKER_BUILD_OPTIONS } from "./scripts/worker-build.mjs";

const PROJECT_NAME = "edge-auth";
const CONSUMER_DIR = "./examples/consumer-worker";
/** The files that call edge-auth through the consumer Worker or the broken copies. */
const SERVICE_BINDING_TESTS = ["test/rpc.test.ts", "test/rpc-faults.test.ts", "test/clock.test.ts"];
/**
 * The files that need a fresh isolate: they test what an isolate caches from outside (a provider's
 * JWKS read once per isolate), which another file may have filled first.
 */
const FRESH_ISOLATE_TESTS = ["test/oauth-outage.test.ts", "test/dialect-bookings-social.test.ts"];
/** The command-line tools' tests (scripts/import.mjs, scripts/export.mjs): plain Node, no workerd. */
const CLI_TESTS = "test/cli";

/**
 * The example consumer Worker as its own wrangler.toml describes it, once per entry of `targets`
 * (Worker name → the edge-auth Worker its AUTH binding calls). Auxiliary Workers take JavaScript, so
 * its TypeScript is bundled here. Its AUTH binding names "edge-auth", but the plugin renames the
 * Worker under test to a runner named after the Vitest project, so the binding is pointed there (or
 * at a broken copy, below).
 */
async function consumerWorkers(targets: Record<string, string>) {
  const { workerOptions } = unstable_getMiniflareWorkerOptions(`${CONSUMER_DIR}/wrangler.toml`);
  const auth = (workerOptions.serviceBindings as Record<string, { entrypoint?: string }> | undefined)?.AUTH;
  if (!auth?.entrypoint) throw new Error(`${CONSUMER_DIR}/wrangler.toml: no AUTH service binding with an entrypoint`);
  const { entrypoint } = auth;
  const contents = await bundle(`${CONSUMER_DIR}/src/index.ts`);
  return Object.entries(targets).map(([name, authWorker]) => ({
    ...workerOptions,
    name,
    modules: [{ type: "ESModule" as const, path: "index.mjs", contents }],
    serviceBindings: { AUTH: { name: authWorker, entrypoint } },
  }));
}

/**
 * edge-auth itself, bundled, as further Workers whose env is broken on purpose, so RPC tests see
 * storage and config failures cross a real service binding: each gets its own empty D1 (no
 * migrations: every query fails) and KV, and `bindings` as given.
 */
async function brokenAuthWorkers(variants: Record<string, Record<string, string>>) {
  // The /docs assets are left out: these copies only answer RPC.
  const { assets: _docs, ...workerOptions } = unstable_getMiniflareWorkerOptions("./wrangler.toml").workerOptions;
  const contents = await bundle("./src/index.ts");
  return Object.entries(variants).map(([name, bindings]) => ({
    ...workerOptions,
    name,
    modules: [{ type: "ESModule" as const, path: "index.mjs", contents }],
    d1Databases: { DB: `${name}-db` },
    kvNamespaces: { KV: `${name}-kv` },
    bindings,
  }));
}

async function bundle(entryPoint: string): Promise<string> {
  const result = await build({ ...WORKER_BUILD_OPTIONS, entryPoints: [entryPoint] });
  return result.outputFiles?.[0]?.text ?? "";
}

export default defineConfig(async () => {
  // wrangler.toml's [assets] directory must exist before the pool reads the config (a fresh clone has none).
  buildDocsAssets();
  const migrations = await readD1Migrations("./migrations");
  const current = await generateSigningKey("ES256");
  const retiring = await generateSigningKey("EdDSA");
  const vars = {
    SIGNING_KEYS: JSON.stringify({ keys: [current, retiring] }),
    ISSUER: "https://auth.test",
    AUDIENCE: "edge-auth-test",
    CORS_ORIGINS: "https://app.test",
    OTP_SECRET: "test-otp-secret-0123456789abcdef0123456789",
    API_KEY_SECRET: "test-api-key-secret-0123456789abcdef01234",
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
    // The dialects the suites reach (production serves none unless configured).
    DIALECTS: "crema,bookings,nap,wolfpal,bioentrust",
    // Social login against the fake identity provider (test/support/fake-idp.ts), which answers the
    // providers' real hosts behind the intercepted outbound fetch; idp.test is a generic OIDC one.
    OAUTH_REDIRECT_ALLOWLIST: "https://app.test/auth/callback,https://app.test/other",
    OAUTH_GOOGLE_CLIENT_ID: "google-web.apps.test",
    OAUTH_GOOGLE_CLIENT_SECRET: "google-test-secret",
    OAUTH_GOOGLE_AUDIENCES: "google-ios.apps.test",
    OAUTH_GITHUB_CLIENT_ID: "github-test-client",
    OAUTH_GITHUB_CLIENT_SECRET: "github-test-secret",
    OAUTH_MICROSOFT_CLIENT_ID: "microsoft-test-client",
    OAUTH_MICROSOFT_CLIENT_SECRET: "microsoft-test-secret",
    OAUTH_MICROSOFT_TENANT: "0b7e5c2a-1d3f-4a6b-9c8d-2e4f6a8b0c1d",
    OAUTH_APPLE_CLIENT_ID: "test.apple.service",
    OAUTH_APPLE_TEAM_ID: "TEAMID1234",
    OAUTH_APPLE_KEY_ID: "APPLEKEY01",
    OAUTH_APPLE_PRIVATE_KEY: generateKeyPairSync("ec", { namedCurve: "P-256" })
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString(),
    OAUTH_OIDC_PROVIDERS: "acme=https://idp.test,local=http://idp.localhost",
    OAUTH_ACME_CLIENT_ID: "acme-test-client",
    OAUTH_ACME_CLIENT_SECRET: "acme-test-secret",
    OAUTH_LOCAL_CLIENT_ID: "local-test-client",
    OAUTH_LOCAL_CLIENT_SECRET: "local-test-secret",
    // `npm run dev` writes OAUTH_DEV_PROVIDER=true to .dev.vars; the dev provider's suite turns it on itself.
    OAUTH_DEV_PROVIDER: "false",
  };
  const { SIGNING_KEYS: _, ...withoutSigningKeys } = vars;
  /**
   * The Worker under test, as a Vitest project. An isolated file starts its own workerd with every
   * Worker of its project and loads the whole module graph again (about 10 s a file here); the bulk
   * of the files share one workerd per Vitest worker instead (`isolate: false`: 141 files took 11 min
   * isolated, under 3 shared). They share its D1, KV and module state too, so every test makes its
   * own accounts (unique emails, fresh IPs) and asserts on its own rows, never on table totals. The
   * consumer and the broken copies (two more bundles of edge-auth) run only for the few files that
   * call them.
   */
  const project = async (name: string, include: string[], exclude: string[], auxiliary: boolean, isolate: boolean) => {
    const runner = getRunnerName({ name } as TestProject);
    return {
      plugins: [
        cloudflareTest({
          main: "./src/dev.ts",
          wrangler: { configPath: "./wrangler.toml" },
          miniflare: {
            bindings: { TEST_MIGRATIONS: migrations, ...vars },
            ...(auxiliary ? await auxiliaryWorkers(runner) : {}),
          },
        }),
      ],
      test: { name, include, exclude, isolate, setupFiles: ["./test/setup/apply-migrations.ts"] },
    };
  };
  // Tests reach the consumer the way its clients would: over HTTP, through a service binding.
  // The -unmigrated and -unconfigured copies call edge-auth copies with a broken env (test/rpc-faults.test.ts).
  const auxiliaryWorkers = async (runner: string) => ({
    serviceBindings: {
      CONSUMER: "consumer-worker",
      CONSUMER_UNMIGRATED: "consumer-worker-unmigrated",
      CONSUMER_UNCONFIGURED: "consumer-worker-unconfigured",
      AUTH_UNMIGRATED: { name: "edge-auth-unmigrated", entrypoint: "AuthService" },
      AUTH_UNCONFIGURED: { name: "edge-auth-unconfigured", entrypoint: "AuthService" },
    },
    workers: [
      ...(await consumerWorkers({
        "consumer-worker": runner,
        "consumer-worker-unmigrated": "edge-auth-unmigrated",
        "consumer-worker-unconfigured": "edge-auth-unconfigured",
      })),
      ...(await brokenAuthWorkers({
        "edge-auth-unmigrated": vars,
        "edge-auth-unconfigured": withoutSigningKeys,
      })),
    ],
  });
  return {
    test: {
      projects: [
        await project(
          PROJECT_NAME,
          ["test/**/*.test.ts"],
          [...SERVICE_BINDING_TESTS, ...FRESH_ISOLATE_TESTS, `${CLI_TESTS}/**`],
          false,
          false,
        ),
        await project(`${PROJECT_NAME}-isolated`, FRESH_ISOLATE_TESTS, [], false, true),
        await project(`${PROJECT_NAME}-rpc`, SERVICE_BINDING_TESTS, [], true, true),
        // The import and export CLIs run in Node, as `npm run import` runs them, against a node:http stub.
        { test: { name: `${PROJECT_NAME}-cli`, include: [`${CLI_TESTS}/**/*.test.mjs`], environment: "node" } },
      ],
      // Twice the two cores: a test waits on I/O (D1, KV) often. Each Vitest worker starts one workerd
      // and loads the module graph once (about 10 s), so more workers cost that again each.
      maxWorkers: 4,
      // Logs of refused requests are expected; show them only for failing tests.
      silent: "passed-only" as const,
    },
  };
});
