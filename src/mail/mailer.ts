// The mail port: what services hand to a Mailer and what they get back. Adapters live beside it.

export type MailKind =
  | "verify_email"
  | "reset_password"
  | "password_changed"
  | "email_change_code"
  | "email_change_notice"
  | "account_exists";

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  kind: MailKind;
  /** For the dev outbox only (never sent to providers as metadata): the code and link the message carries. */
  meta?: { code?: string; link?: string };
}

/**
 * Why a provider did not take a message: `unauthorized` (bad or revoked key: fix config, do not retry),
 * `rejected` (the provider refused this message), `rate_limited` and `unavailable` (try again later).
 */
export type MailFailure = "unauthorized" | "rejected" | "rate_limited" | "unavailable";

export type MailOutcome =
  | { ok: true; providerId?: string }
  | { ok: false; failure: MailFailure; retryable: boolean; status?: number };

export interface Mailer {
  send(message: MailMessage): Promise<MailOutcome>;
}
