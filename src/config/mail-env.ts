// The mail section of Config: MAIL_PROVIDER and what that provider needs (key, sender, Mailgun's
// domain and region), the product name mail and texts carry, and the provider deadline.

import * as z from "zod";
import { type Parsed, valueOrThrow } from "./config-error";
import { headerSafe, optional, required, wholeNumber, withDefault } from "./env-fields";
import { type IssuerFacts, issuerFacts, parseIssuerEnv, parseProviderSection } from "./issuer-env";
import { CONTROL_CHARACTERS, parseMailbox } from "./mailbox";

export const MAIL_PROVIDERS = ["resend", "postmark", "sendgrid", "mailgun", "outbox"] as const;
export type MailProvider = (typeof MAIL_PROVIDERS)[number];

export interface MailConfig {
  provider: MailProvider;
  /** Null for the outbox, which sends nothing. */
  apiKey: string | null;
  from: string;
  productName: string;
  mailgunDomain: string | null;
  mailgunRegion: "us" | "eu";
  timeoutMs: number;
}

/** The outbox's sender: nothing is sent, so it only labels the kept message. */
const OUTBOX_DEFAULT_FROM = "edge-auth <no-reply@localhost>";
const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+$/i;

const mailbox = z.string().refine((value) => parseMailbox(value) !== null, "must be an address or Name <address>");
const productName = z
  .string()
  .refine(
    (value) => value.length <= 100 && !CONTROL_CHARACTERS.test(value),
    "must be one line of at most 100 characters",
  );
const hostname = z.string().regex(HOSTNAME, "must be a domain name");

/** What the named provider needs decides which variables are required; every one is checked for form. */
function mailFields(provider: MailProvider | undefined) {
  const keyed = provider !== undefined && provider !== "outbox";
  const unlessOutbox = "is required unless MAIL_PROVIDER is outbox";
  return z.object({
    MAIL_API_KEY: keyed ? required(headerSafe, unlessOutbox) : optional(headerSafe),
    MAIL_FROM: keyed ? required(mailbox, unlessOutbox) : optional(mailbox),
    MAIL_PRODUCT_NAME: withDefault(productName, "edge-auth"),
    MAILGUN_DOMAIN:
      provider === "mailgun" ? required(hostname, "is required for MAIL_PROVIDER mailgun") : optional(hostname),
    MAILGUN_REGION: withDefault(z.enum(["us", "eu"], "must be us or eu"), "us"),
    MAIL_TIMEOUT_MS: wholeNumber(500, 30_000, 5000),
  });
}

export function parseMailEnv(env: Record<string, unknown>, issuer: IssuerFacts): Parsed<MailConfig> {
  const section = parseProviderSection(env, issuer, {
    switchName: "MAIL_PROVIDER",
    providers: MAIL_PROVIDERS,
    fieldsFor: mailFields,
  });
  if (!section.ok) return section;
  const { provider, vars } = section.value;
  return {
    ok: true,
    value: {
      provider,
      apiKey: provider === "outbox" ? null : (vars.MAIL_API_KEY ?? null),
      from: vars.MAIL_FROM ?? OUTBOX_DEFAULT_FROM,
      productName: vars.MAIL_PRODUCT_NAME,
      mailgunDomain: vars.MAILGUN_DOMAIN ?? null,
      mailgunRegion: vars.MAILGUN_REGION,
      timeoutMs: vars.MAIL_TIMEOUT_MS,
    },
  };
}

/** The mail section alone (tests and tools): the same schema parseConfig runs, with ISSUER as context. */
export function parseMailConfig(env: Record<string, unknown>): MailConfig {
  return valueOrThrow(parseMailEnv(env, issuerFacts(parseIssuerEnv(env))));
}
