// The SMS section of Config: SMS_PROVIDER and what that provider needs (sender, Twilio's or Vonage's
// credentials), and the provider deadline. TWILIO_AUTH_TOKEN and VONAGE_API_SECRET are secrets.

import * as z from "zod";
import { type Parsed, valueOrThrow } from "./config-error";
import { headerSafe, optional, required, wholeNumber } from "./env-fields";
import { type IssuerFacts, issuerFacts, parseIssuerEnv, parseProviderSection } from "./issuer-env";

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

/** A Twilio Messaging Service SID: "MG" and 32 hex digits (Twilio's adapter sends it as MessagingServiceSid). */
export const MESSAGING_SERVICE_SID = /^MG[0-9a-f]{32}$/i;
const E164 = /^\+[1-9]\d{7,14}$/;
/** Alphanumeric sender IDs: at most 11 letters, digits and spaces, with at least one letter. */
const ALPHANUMERIC_SENDER = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/;
const ACCOUNT_SID = /^AC[0-9a-f]{32}$/i;

/** The sender forms the provider accepts: a Messaging Service SID only for Twilio. */
function sender(provider: SmsProvider | undefined) {
  const twilio = provider === "twilio";
  const forms = twilio ? [E164, ALPHANUMERIC_SENDER, MESSAGING_SERVICE_SID] : [E164, ALPHANUMERIC_SENDER];
  const twilioForm = twilio ? ", or a Messaging Service SID (MG…)" : "";
  return z
    .string()
    .refine(
      (value) => forms.some((form) => form.test(value)),
      `must be an E.164 number or an alphanumeric sender ID of at most 11 characters${twilioForm}`,
    );
}

/** What the named provider needs decides which variables are required; every one is checked for form. */
function smsFields(provider: SmsProvider | undefined) {
  const forProvider = "is required for this SMS_PROVIDER";
  const credential = (needed: boolean, format = headerSafe) =>
    needed ? required(format, forProvider) : optional(format);
  const sends = provider === "twilio" || provider === "vonage";
  return z.object({
    SMS_FROM: sends ? required(sender(provider), forProvider) : optional(sender(provider)),
    TWILIO_ACCOUNT_SID: credential(
      provider === "twilio",
      headerSafe.regex(ACCOUNT_SID, "must be AC and 32 hex digits"),
    ),
    TWILIO_AUTH_TOKEN: credential(provider === "twilio"),
    VONAGE_API_KEY: credential(provider === "vonage"),
    VONAGE_API_SECRET: credential(provider === "vonage"),
    SMS_TIMEOUT_MS: wholeNumber(500, 30_000, 5000),
  });
}

export function parseSmsEnv(env: Record<string, unknown>, issuer: IssuerFacts): Parsed<SmsConfig> {
  const section = parseProviderSection(env, issuer, {
    switchName: "SMS_PROVIDER",
    providers: SMS_PROVIDERS,
    fieldsFor: smsFields,
  });
  if (!section.ok) return section;
  const { provider, vars } = section.value;
  // smsFields required the chosen provider's sender and credentials; `?? ""` only satisfies the type.
  return {
    ok: true,
    value: {
      provider,
      from: provider === "twilio" || provider === "vonage" ? (vars.SMS_FROM ?? null) : null,
      twilio:
        provider === "twilio"
          ? { accountSid: vars.TWILIO_ACCOUNT_SID ?? "", authToken: vars.TWILIO_AUTH_TOKEN ?? "" }
          : null,
      vonage:
        provider === "vonage" ? { apiKey: vars.VONAGE_API_KEY ?? "", apiSecret: vars.VONAGE_API_SECRET ?? "" } : null,
      timeoutMs: vars.SMS_TIMEOUT_MS,
    },
  };
}

/** The SMS section alone (tests and tools): the same schema parseConfig runs, with ISSUER as context. */
export function parseSmsConfig(env: Record<string, unknown>): SmsConfig {
  return valueOrThrow(parseSmsEnv(env, issuerFacts(parseIssuerEnv(env))));
}
