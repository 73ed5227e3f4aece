// Reads the SMS variables from `env` into a typed SmsConfig. A problem throws a ConfigError that names
// the variable and never echoes its value (TWILIO_AUTH_TOKEN and VONAGE_API_SECRET are secrets).

import { ConfigError } from "../config";
import { isLocalIssuer, LOCAL_ISSUER_HOSTS } from "../local-issuer";
import { readString } from "../mail/mail-config";
import { MESSAGING_SERVICE_SID } from "./twilio-sms";

/** `none`: this deployment sends no SMS; the phone endpoints answer 503 sms_unavailable. */
export const SMS_PROVIDERS = ["twilio", "vonage", "outbox", "none"] as const;
export type SmsProvider = (typeof SMS_PROVIDERS)[number];

export interface SmsConfig {
  provider: SmsProvider;
  /** E.164 number, alphanumeric sender ID, or (Twilio) a Messaging Service SID; null without a provider. */
  from: string | null;
  twilio: { accountSid: string; authToken: string } | null;
  vonage: { apiKey: string; apiSecret: string } | null;
  timeoutMs: number;
}

const E164 = /^\+[1-9]\d{7,14}$/;
/** Alphanumeric sender IDs: at most 11 letters, digits and spaces, with at least one letter. */
const ALPHANUMERIC_SENDER = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/;
const ACCOUNT_SID = /^AC[0-9a-f]{32}$/i;
// Credentials travel in a header or a form body, so only visible ASCII can be valid.
const CREDENTIAL = /^[\x21-\x7e]+$/;

function readCredential(env: Record<string, unknown>, name: string, needed: boolean, problems: string[]) {
  const value = readString(env, name);
  if (needed && !value) problems.push(`${name} is required for this SMS_PROVIDER`);
  if (value && !CREDENTIAL.test(value)) problems.push(`${name} must be printable ASCII without spaces`);
  return value ?? "";
}

export function parseSmsConfig(env: Record<string, unknown>): SmsConfig {
  const problems: string[] = [];
  // Outside a local issuer a provider must be named: a forgotten setting must not send codes into KV.
  const issuer = readString(env, "ISSUER");
  const localIssuer = isLocalIssuer(issuer);
  const providerText = readString(env, "SMS_PROVIDER") ?? (localIssuer ? "outbox" : null);
  if (providerText === null) problems.push("SMS_PROVIDER is required when ISSUER is not local");
  const provider = SMS_PROVIDERS.find((candidate) => candidate === providerText);
  if (!provider && providerText !== null) problems.push(`SMS_PROVIDER must be one of ${SMS_PROVIDERS.join(", ")}`);
  // Like MAIL_PROVIDER outbox: texts kept in KV and never sent. An absent ISSUER is parseConfig's to refuse.
  if (provider === "outbox" && issuer !== null && !localIssuer) {
    problems.push(`SMS_PROVIDER outbox may only be used when ISSUER is local (${LOCAL_ISSUER_HOSTS})`);
  }
  const usesProvider = provider === "twilio" || provider === "vonage";

  const from = readString(env, "SMS_FROM");
  if (usesProvider && !from) problems.push("SMS_FROM is required for this SMS_PROVIDER");
  const senderForms =
    provider === "twilio" ? [E164, ALPHANUMERIC_SENDER, MESSAGING_SERVICE_SID] : [E164, ALPHANUMERIC_SENDER];
  if (from && !senderForms.some((form) => form.test(from))) {
    const twilioForm = provider === "twilio" ? ", or a Messaging Service SID (MG…)" : "";
    problems.push(
      `SMS_FROM must be an E.164 number or an alphanumeric sender ID of at most 11 characters${twilioForm}`,
    );
  }

  const accountSid = readCredential(env, "TWILIO_ACCOUNT_SID", provider === "twilio", problems);
  if (accountSid && !ACCOUNT_SID.test(accountSid)) problems.push("TWILIO_ACCOUNT_SID must be AC and 32 hex digits");
  const authToken = readCredential(env, "TWILIO_AUTH_TOKEN", provider === "twilio", problems);
  const apiKey = readCredential(env, "VONAGE_API_KEY", provider === "vonage", problems);
  const apiSecret = readCredential(env, "VONAGE_API_SECRET", provider === "vonage", problems);

  const timeoutText = readString(env, "SMS_TIMEOUT_MS") ?? "5000";
  const timeoutMs = /^\d+$/.test(timeoutText) ? Number(timeoutText) : Number.NaN;
  if (!(timeoutMs >= 500 && timeoutMs <= 30_000)) problems.push("SMS_TIMEOUT_MS must be a whole number 500..30000");

  if (problems.length > 0 || !provider) throw new ConfigError(`invalid SMS configuration: ${problems.join("; ")}`);
  return {
    provider,
    from: usesProvider ? from : null,
    twilio: provider === "twilio" ? { accountSid, authToken } : null,
    vonage: provider === "vonage" ? { apiKey, apiSecret } : null,
    timeoutMs,
  };
}
