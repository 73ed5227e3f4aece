// The part every HTTP SMS adapter shares: one request with a deadline, the provider's answer turned
// into an SmsOutcome, and a log line with only provider, kind, status and outcome (never the
// credentials, the number, the text or the code). The deadline request and status mapping are mail's.

import { classifyProviderStatus, requestWithDeadline } from "../mail/provider-delivery";
import type { SmsKind, SmsOutcome } from "./sms-sender";

export interface SmsDelivery {
  provider: string;
  kind: SmsKind;
  url: string;
  init: { method: "POST"; headers: Record<string, string>; body: string };
  fetch: typeof fetch;
  timeoutMs: number;
  /**
   * Reads a 2xx answer: the message id, or a failure the provider reports inside a 2xx (Vonage's SMS
   * API answers 200 with a per-message status). A body that cannot be read counts as accepted.
   */
  readAccepted: (response: Response) => Promise<SmsOutcome>;
}

function logOutcome(delivery: SmsDelivery, outcome: SmsOutcome, detail: Record<string, unknown>): SmsOutcome {
  const { provider, kind } = delivery;
  if (outcome.ok) console.log(JSON.stringify({ event: "sms_sent", provider, kind, ...detail }));
  else console.warn(JSON.stringify({ event: "sms_failed", provider, kind, failure: outcome.failure, ...detail }));
  return outcome;
}

export async function deliverSms(delivery: SmsDelivery): Promise<SmsOutcome> {
  const response = await requestWithDeadline(delivery);
  if (typeof response === "string") {
    return logOutcome(delivery, { ok: false, failure: "unavailable", retryable: true }, { reason: response });
  }

  const { status } = response;
  if (status >= 200 && status < 300) {
    const outcome = await delivery.readAccepted(response).catch((): SmsOutcome => ({ ok: true }));
    await response.body?.cancel().catch(() => undefined);
    return logOutcome(delivery, outcome, { status });
  }

  // The error body may echo the number or the text; it is dropped unread.
  await response.body?.cancel().catch(() => undefined);
  return logOutcome(delivery, { ok: false, ...classifyProviderStatus(status), status }, { status });
}
