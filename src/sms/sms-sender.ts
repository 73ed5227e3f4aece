// The SMS port: what services hand to an SmsSender and what they get back. Adapters live beside it,
// mirroring src/mail/mailer.ts.

export type SmsKind = "verify_phone" | "mfa_sms";

export interface SmsMessage {
  /** E.164, e.g. "+14155552671". */
  to: string;
  body: string;
  kind: SmsKind;
  /** For the dev outbox only (never sent to providers as metadata): the code the message carries. */
  meta?: { code?: string };
}

/**
 * Why a provider did not take a message: `unauthorized` (bad or revoked credentials: fix config, do not
 * retry), `rejected` (the provider refused this message or number), `rate_limited` and `unavailable`
 * (try again later).
 */
export type SmsFailure = "unauthorized" | "rejected" | "rate_limited" | "unavailable";

export type SmsOutcome =
  | { ok: true; providerId?: string }
  | { ok: false; failure: SmsFailure; retryable: boolean; status?: number };

export interface SmsSender {
  send(message: SmsMessage): Promise<SmsOutcome>;
}
