// The SMS port: what services hand to an SmsSender and what they get back (the one DeliveryOutcome
// of src/outbound/, as for mail). Adapters live beside it.

import type { DeliveryOutcome } from "../outbound/provider-request";

export type SmsKind = "verify_phone" | "mfa_sms";

export interface SmsMessage {
  /** E.164, e.g. "+14155552671". */
  to: string;
  body: string;
  kind: SmsKind;
  /** For the dev outbox only (never sent to providers as metadata): the code the message carries. */
  meta?: { code?: string };
}

export interface SmsSender {
  send(message: SmsMessage): Promise<DeliveryOutcome>;
}
