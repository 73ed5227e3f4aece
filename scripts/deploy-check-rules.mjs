// What `npm run deploy` refuses, as a pure function: the wrangler config (as wrangler reads it) and the
// names of the Worker's secrets in, one sentence per problem out. No I/O, so tests run it as is;
// scripts/deploy-check.mjs feeds it. Messages name variables and ids, never a secret's value.

/** Secrets src/config.ts refuses to start without. */
export const REQUIRED_SECRETS = ["SIGNING_KEYS", "OTP_SECRET", "TOTP_ENCRYPTION_KEY", "API_KEY_SECRET"];
/** Every secret the Worker reads: none of them may sit in [vars], which is committed and shown in the dashboard. */
export const SECRET_NAMES = [...REQUIRED_SECRETS, "MAIL_API_KEY", "TWILIO_AUTH_TOKEN", "VONAGE_API_SECRET"];
/** MAIL_PROVIDER values that send through an API, and so need MAIL_API_KEY (src/config/mail-env.ts). */
const KEYED_MAIL_PROVIDERS = ["resend", "postmark", "sendgrid", "mailgun"];

/**
 * Whether a hostname is this machine or a name that can never be a real domain. The same rule as
 * `isLocalIssuer` in src/local-issuer.ts (a test holds the two to the same answers): loopback, and
 * `localhost`, `test` and their subdomains (RFC 6761 §6.3, RFC 2606 §2).
 */
export function isLocalHostname(hostname) {
  const host = hostname.toLowerCase();
  if (["localhost", "127.0.0.1", "[::1]"].includes(host)) return true;
  return ["localhost", "test"].some((name) => host === name || host.endsWith(`.${name}`));
}

/** Missing, or the all-zero id wrangler.toml ships with. */
function isPlaceholderId(id) {
  return typeof id !== "string" || /^[0-]*$/.test(id.trim());
}

/** A [vars] value as text (TOML may hold a boolean or a number), or null when absent or empty. */
function varText(vars, name) {
  const value = vars[name];
  if (value === undefined || value === null) return null;
  const text = String(value).trim();
  return text === "" ? null : text;
}

function issuerProblems(issuer) {
  if (issuer === null) return ["ISSUER is not set in [vars]: set the service's public https origin"];
  let url;
  try {
    url = new URL(issuer);
  } catch {
    return [`ISSUER ${issuer} is not a URL`];
  }
  const problems = [];
  if (url.protocol !== "https:")
    problems.push(`ISSUER ${issuer} is not https: it is every token's iss and mail links' origin`);
  if (isLocalHostname(url.hostname)) {
    problems.push(`ISSUER ${issuer} names a local host (localhost, 127.0.0.1, [::1], *.localhost, *.test)`);
  }
  return problems;
}

/**
 * @param {{ vars?: Record<string, unknown>, d1_databases?: { binding?: string, database_name?: string, database_id?: string }[], kv_namespaces?: { binding?: string, id?: string }[] }} config
 * @param {Iterable<string> | null} secretNames the secrets set on the Worker (`wrangler secret list`);
 *   null when they could not be listed (the caller refuses for that): then no secret is checked
 * @returns {string[]} every problem found; empty when the deploy may go ahead
 */
export function deployProblems(config, secretNames) {
  const vars = config.vars ?? {};
  const secrets = secretNames === null ? null : new Set(secretNames);
  const problems = [];

  for (const db of config.d1_databases ?? []) {
    if (isPlaceholderId(db.database_id)) {
      problems.push(
        `d1_databases ${db.binding}: database_id is a placeholder; put the id \`wrangler d1 create ${db.database_name ?? "<name>"}\` printed`,
      );
    }
  }
  for (const namespace of config.kv_namespaces ?? []) {
    if (isPlaceholderId(namespace.id)) {
      problems.push(
        `kv_namespaces ${namespace.binding}: id is a placeholder; put the id \`wrangler kv namespace create\` printed`,
      );
    }
  }

  problems.push(...issuerProblems(varText(vars, "ISSUER")));

  // Dev-only switches: each would keep codes from users or hand them to anyone who asks.
  if (varText(vars, "DEV_OUTBOX")?.toLowerCase() === "true") {
    problems.push("DEV_OUTBOX=true in [vars] serves every code and link at /dev/outbox: remove it");
  }
  if (varText(vars, "OAUTH_DEV_PROVIDER")?.toLowerCase() === "true") {
    problems.push("OAUTH_DEV_PROVIDER=true in [vars] lets anyone sign in as any address at /dev/idp: remove it");
  }
  const mailProvider = varText(vars, "MAIL_PROVIDER");
  if (mailProvider === null) problems.push("MAIL_PROVIDER is not set in [vars]: name the mail provider");
  if (mailProvider === "outbox")
    problems.push("MAIL_PROVIDER=outbox keeps mail in KV and never sends it: name a provider");
  const smsProvider = varText(vars, "SMS_PROVIDER");
  if (smsProvider === null) problems.push("SMS_PROVIDER is not set in [vars]: name the SMS provider, or none");
  if (smsProvider === "outbox")
    problems.push("SMS_PROVIDER=outbox keeps texts in KV and never sends them: name a provider, or none");

  for (const name of SECRET_NAMES) {
    if (varText(vars, name) !== null) {
      problems.push(
        `${name} is in [vars], which is committed and shown in the dashboard: remove it and use \`wrangler secret put ${name}\``,
      );
    }
  }
  /** A secret the configuration needs; one already flagged as sitting in [vars] is not reported twice. */
  const needSecret = (name, why) => {
    if (secrets && !secrets.has(name) && varText(vars, name) === null) {
      problems.push(`secret ${name} is not set${why}: \`wrangler secret put ${name}\``);
    }
  };
  /** A value that may be a var or a secret (an account id or API key name is not secret, but may be kept as one). */
  const needValue = (name, why) => {
    if (secrets && !secrets.has(name) && varText(vars, name) === null) {
      problems.push(`${name} is not set${why}, in [vars] or as a secret`);
    }
  };

  for (const name of REQUIRED_SECRETS) needSecret(name, "");
  if (mailProvider !== null && KEYED_MAIL_PROVIDERS.includes(mailProvider)) {
    needSecret("MAIL_API_KEY", ` (MAIL_PROVIDER is ${mailProvider})`);
  }
  if (smsProvider === "twilio") {
    needSecret("TWILIO_AUTH_TOKEN", " (SMS_PROVIDER is twilio)");
    needValue("TWILIO_ACCOUNT_SID", " (SMS_PROVIDER is twilio)");
  }
  if (smsProvider === "vonage") {
    needSecret("VONAGE_API_SECRET", " (SMS_PROVIDER is vonage)");
    needValue("VONAGE_API_KEY", " (SMS_PROVIDER is vonage)");
  }
  return problems;
}
