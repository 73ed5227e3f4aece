// esbuild's options for a Worker bundle as wrangler builds one (ESM, the workerd conditions, the
// runtime's own modules left out): shared by the test config's auxiliary Workers and the
// per-dialect size check.
export const WORKER_BUILD_OPTIONS = {
  bundle: true,
  format: "esm",
  platform: "neutral",
  conditions: ["workerd", "worker", "browser"],
  mainFields: ["module", "main"],
  external: ["cloudflare:*", "node:*"],
  // As wrangler's nodejs_compat does: a bare "crypto" (bcryptjs's fallback import) is node:crypto.
  alias: { crypto: "node:crypto" },
  write: false,
};
