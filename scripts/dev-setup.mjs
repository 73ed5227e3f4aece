// Prepares `wrangler dev`: writes what .dev.vars lacks — fresh dev signing keys, a one-time-code
// secret, an API-key secret, a TOTP encryption key, the dev outbox switch, the dialects and the dev
// identity provider with a redirect allowlist — and
// builds the /docs UI's static assets.
// .dev.vars is git-ignored; production sets secrets with `wrangler secret put` and never turns the
// outbox on (the Worker refuses it off localhost).
import { randomBytes } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { buildDocsAssets } from "./docs-assets.mjs";
import { generateSigningKeySet } from "./signing-keys.mjs";

const path = new URL("../.dev.vars", import.meta.url);
let vars = existsSync(path) ? readFileSync(path, "utf8") : "";
const added = [];

async function ensure(name, makeValue) {
  if (new RegExp(`^${name}=`, "m").test(vars)) return;
  if (vars !== "" && !vars.endsWith("\n")) vars += "\n";
  vars += `${name}=${await makeValue()}\n`;
  added.push(name);
}

await ensure("SIGNING_KEYS", async () => `'${await generateSigningKeySet()}'`);
await ensure("OTP_SECRET", () => randomBytes(32).toString("base64url"));
await ensure("API_KEY_SECRET", () => randomBytes(32).toString("base64url"));
await ensure("TOTP_ENCRYPTION_KEY", () => randomBytes(32).toString("base64url"));
await ensure("DEV_OUTBOX", () => "true");
// Every dialect this version serves, at its own paths; wrangler.toml sets none, so production serves
// none unless configured.
const ALL_DIALECTS = "crema,bookings,nap,wolfpal,bioentrust";
// An earlier version wrote DIALECTS=crema, when crema was all it served: widen that to all five.
if (/^DIALECTS=crema$/m.test(vars)) {
  vars = vars.replace(/^DIALECTS=crema$/m, `DIALECTS=${ALL_DIALECTS}`);
  added.push("DIALECTS");
}
await ensure("DIALECTS", () => ALL_DIALECTS);
// Social login offline: the built-in dev identity provider (/dev/idp, local ISSUER only), and where
// it may send the browser back to: the SPA dev servers wrangler.toml's CORS_ORIGINS already allows.
await ensure("OAUTH_DEV_PROVIDER", () => "true");
await ensure(
  "OAUTH_REDIRECT_ALLOWLIST",
  () => "http://localhost:5173/auth/callback,http://localhost:3000/auth/callback",
);

if (added.length > 0) {
  writeFileSync(path, vars, { mode: 0o600 });
  console.log(`dev-setup: wrote ${added.join(", ")} to .dev.vars`);
}

// wrangler.toml's [assets] directory; wrangler dev refuses to start without it.
buildDocsAssets();
