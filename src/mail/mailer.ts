// The mail port: what services hand to a Mailer and what they get back (the one DeliveryOutcome of
// src/outbound/). Adapters live beside it.

import type { DeliveryOutcome } from "../outbound/provider-request";

export type MailKind =
  | "verify_email"
  | "reset_password"
  | "set_password"
  | "password_changed"
  | "email_change_code"
  | "email_change_notice"
  | "account_exists"
  | "org_invitation";

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  kind: MailKind;
  /** For the dev outbox only (never sent to providers as metadata): the code and link the message carries. */
  meta?: { code?: string; link?: string };
}

export interface Mailer {
  send(message: MailMessage): Promise<DeliveryOutcome>;
}
