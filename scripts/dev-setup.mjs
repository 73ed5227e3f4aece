// Prepares `wrangler dev`: writes fresh dev signing keys into .dev.vars when it has none.
// .dev.vars is git-ignored; production keys are set with `wrangler secret put SIGNING_KEYS`.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { generateSigningKeySet } from "./signing-keys.mjs";

const path = new URL("../.dev.vars", import.meta.url);
const current = existsSync(path) ? readFileSync(path, "utf8") : "";
if (!/^SIGNING_KEYS=/m.test(current)) {
  const keys = await generateSigningKeySet();
  const separator = current === "" || current.endsWith("\n") ? "" : "\n";
  writeFileSync(path, `${current}${separator}SIGNING_KEYS='${keys}'\n`, { mode: 0o600 });
  console.log("dev-setup: wrote fresh dev signing keys to .dev.vars");
}
