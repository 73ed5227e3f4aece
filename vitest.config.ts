// Tests run inside workerd through Cloudflare's vitest integration: real D1 with the real
// migrations applied, real KV and the real rate-limit binding from wrangler.toml.
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
// @ts-expect-error: a plain .mjs script shared with `npm run dev`
import { generateSigningKey } from "./scripts/signing-keys.mjs";

export default defineConfig(async () => {
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
            // Tests hash many passwords; production's default (ln=15) is held to the caps in crypto tests.
            PASSWORD_SCRYPT: "ln=10,r=8,p=1",
          },
        },
      }),
    ],
    test: {
      setupFiles: ["./test/setup/apply-migrations.ts"],
      include: ["test/**/*.test.ts"],
      // Logs of refused requests are expected; show them only for failing tests.
      silent: "passed-only" as const,
    },
  };
});
