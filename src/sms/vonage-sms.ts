// Vonage (Nexmo) SMS API: POST https://rest.nexmo.com/sms/json with a form-encoded body: api_key,
// api_secret, from, to (the number without "+") and text; type=unicode when the text is not ASCII.
// It answers 200 even when it refuses a message: {"message-count": "1", "messages": [{"status": "0",
// "message-id": "…"}]}, where a non-zero status is the error (its error table maps below).
// https://developer.vonage.com/en/api/sms and /messaging/sms/guides/troubleshooting-sms

import {
  accepted,
  type DeliveryFailure,
  type DeliveryOutcome,
  deliverThroughProvider,
} from "../outbound/provider-request";
import type { SmsSender } from "./sms-sender";

export const VONAGE_SMS_URL = "https://rest.nexmo.com/sms/json";

export interface VonageSmsOptions {
  apiKey: string;
  apiSecret: string;
  /** An E.164 number or an alphanumeric sender ID. */
  from: string;
  timeoutMs: number;
  fetch: typeof fetch;
}

/** Vonage's numeric statuses: 1 throttled; 4, 8, 11, 14 credentials or account; 5, 9, 10 the platform or credit. */
const STATUS_FAILURES: Record<string, { failure: DeliveryFailure; retryable: boolean }> = {
  "1": { failure: "rate_limited", retryable: true },
  "4": { failure: "unauthorized", retryable: false },
  "8": { failure: "unauthorized", retryable: false },
  "11": { failure: "unauthorized", retryable: false },
  "14": { failure: "unauthorized", retryable: false },
  "5": { failure: "unavailable", retryable: true },
  "9": { failure: "unavailable", retryable: true },
  "10": { failure: "unavailable", retryable: true },
};

interface VonageAnswer {
  messages?: { status?: unknown; "message-id"?: unknown }[];
}

async function readVonageAnswer(response: Response): Promise<DeliveryOutcome> {
  const body = (await response.json().catch(() => null)) as VonageAnswer | null;
  const first = Array.isArray(body?.messages) ? body.messages[0] : undefined;
  const status = typeof first?.status === "string" ? first.status : undefined;
  // A 200 without a readable status is no proof the message was taken: report it as a failed send.
  if (status === undefined) return { ok: false, failure: "unavailable", retryable: true };
  if (status === "0") {
    const id = first?.["message-id"];
    return accepted(typeof id === "string" ? id : undefined);
  }
  return { ok: false, ...(STATUS_FAILURES[status] ?? { failure: "rejected", retryable: false }) };
}

export function createVonageSmsSender(options: VonageSmsOptions): SmsSender {
  return {
    send: (message) => {
      const form = new URLSearchParams({
        api_key: options.apiKey,
        api_secret: options.apiSecret,
        from: options.from.replace(/^\+/, ""),
        to: message.to.replace(/^\+/, ""),
        text: message.body,
      });
      if (/[^\x20-\x7e\n]/.test(message.body)) form.set("type", "unicode");
      return deliverThroughProvider(
        {
          provider: "vonage",
          kind: message.kind,
          url: VONAGE_SMS_URL,
          init: {
            method: "POST",
            headers: { Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" },
            body: form.toString(),
          },
          fetch: options.fetch,
          timeoutMs: options.timeoutMs,
        },
        readVonageAnswer,
      );
    },
  };
}
