// Reads the mail variables from `env` into a typed MailConfig. A problem throws a ConfigError that
// names the variable and never echoes its value (MAIL_API_KEY is a secret).

import { ConfigError } from "../config";
import { isLocalIssuer, LOCAL_ISSUER_HOSTS } from "../local-issuer";

export { isLocalIssuer } from "../local-issuer";

export const MAIL_PROVIDERS = ["resend", "postmark", "sendgrid", "mailgun", "outbox"] as const;
export type MailProvider = (typeof MAIL_PROVIDERS)[number];

export interface MailConfig {
  provider: MailProvider;
  apiKey: string | null;
  from: string;
  productName: string;
  mailgunDomain: string | null;
  mailgunRegion: "us" | "eu";
  timeoutMs: number;
  devOutbox: boolean;
}

export interface Mailbox {
  email: string;
  name?: string;
}

const OUTBOX_DEFAULT_FROM = "edge-auth <no-reply@localhost>";
const ADDRESS = /^[^\s@<>",;]+@[^\s@<>",;]+$/;
const NAMED_ADDRESS = /^([^<>\r\n]*?)\s*<([^<>\s]+)>$/;
const API_KEY = /^[\x21-\x7e]+$/;
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/i;
// Control characters would let a value break out of a header or a subject line.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/** Splits `Name <a@b>` or `a@b` into its parts; null when it is neither. */
export function parseMailbox(value: string): Mailbox | null {
  if (value.length > 320 || CONTROL.test(value)) return null;
  const named = NAMED_ADDRESS.exec(value.trim());
  if (named) {
    const [, rawName = "", email = ""] = named;
    const name = rawName.trim().replace(/^"(.*)"$/, "$1");
    if (!ADDRESS.test(email)) return null;
    return name ? { email, name } : { email };
  }
  return ADDRESS.test(value.trim()) ? { email: value.trim() } : null;
}

export function readString(env: Record<string, unknown>, name: string): string | null {
  const value = env[name];
  return typeof value === "string" && value.trim() !== "" ? value.trim() : null;
}

export function parseMailConfig(env: Record<string, unknown>): MailConfig {
  const problems: string[] = [];
  // Outside a local issuer a provider must be named: a forgotten setting must not send mail into KV.
  const issuer = readString(env, "ISSUER");
  const localIssuer = isLocalIssuer(issuer);
  const providerText = readString(env, "MAIL_PROVIDER") ?? (localIssuer ? "outbox" : undefined);
  if (providerText === undefined) problems.push("MAIL_PROVIDER is required when ISSUER is not local");
  const provider = MAIL_PROVIDERS.find((candidate) => candidate === providerText);
  if (!provider && providerText !== undefined)
    problems.push(`MAIL_PROVIDER must be one of ${MAIL_PROVIDERS.join(", ")}`);
  // The outbox keeps mail in KV, never sends it, and logs every recipient: a deployment with it would
  // silently deliver no code. An absent ISSUER is left to parseConfig, which refuses the Worker first.
  if (provider === "outbox" && issuer !== null && !localIssuer) {
    problems.push(`MAIL_PROVIDER outbox may only be used when ISSUER is local (${LOCAL_ISSUER_HOSTS})`);
  }
  const usesProvider = provider !== undefined && provider !== "outbox";

  const apiKey = readString(env, "MAIL_API_KEY");
  if (usesProvider && !apiKey) problems.push("MAIL_API_KEY is required unless MAIL_PROVIDER is outbox");
  // It travels in an HTTP header, so only visible ASCII can be valid.
  if (apiKey && !API_KEY.test(apiKey)) problems.push("MAIL_API_KEY must be printable ASCII without spaces");

  const fromText = readString(env, "MAIL_FROM");
  if (usesProvider && !fromText) problems.push("MAIL_FROM is required unless MAIL_PROVIDER is outbox");
  if (fromText && !parseMailbox(fromText)) problems.push("MAIL_FROM must be an address or Name <address>");

  const productName = readString(env, "MAIL_PRODUCT_NAME") ?? "edge-auth";
  if (productName.length > 100 || CONTROL.test(productName)) {
    problems.push("MAIL_PRODUCT_NAME must be one line of at most 100 characters");
  }

  const mailgunDomain = readString(env, "MAILGUN_DOMAIN");
  if (provider === "mailgun" && !mailgunDomain) problems.push("MAILGUN_DOMAIN is required for MAIL_PROVIDER mailgun");
  if (mailgunDomain && !HOSTNAME.test(mailgunDomain)) problems.push("MAILGUN_DOMAIN must be a domain name");

  const region = readString(env, "MAILGUN_REGION") ?? "us";
  if (region !== "us" && region !== "eu") problems.push("MAILGUN_REGION must be us or eu");

  const timeoutText = readString(env, "MAIL_TIMEOUT_MS") ?? "5000";
  const timeoutMs = /^\d+$/.test(timeoutText) ? Number(timeoutText) : Number.NaN;
  if (!(timeoutMs >= 500 && timeoutMs <= 30_000)) problems.push("MAIL_TIMEOUT_MS must be a whole number 500..30000");

  const devOutboxText = readString(env, "DEV_OUTBOX") ?? "false";
  if (devOutboxText !== "true" && devOutboxText !== "false") problems.push("DEV_OUTBOX must be true or false");
  const devOutbox = devOutboxText === "true";
  if (devOutbox && !localIssuer) {
    problems.push(`DEV_OUTBOX may only be true when ISSUER is local (${LOCAL_ISSUER_HOSTS})`);
  }

  if (problems.length > 0 || !provider) {
    throw new ConfigError(`invalid mail configuration: ${problems.join("; ")}`);
  }
  return {
    provider,
    apiKey: usesProvider ? apiKey : null,
    from: fromText ?? OUTBOX_DEFAULT_FROM,
    productName,
    mailgunDomain,
    mailgunRegion: region === "eu" ? "eu" : "us",
    timeoutMs,
    devOutbox,
  };
}
