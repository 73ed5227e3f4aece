// Resend: POST https://api.resend.com/emails with a Bearer key and a JSON body; answers {"id": "..."}.
// https://resend.com/docs/api-reference/emails/send-email

import { accepted, deliverThroughProvider, readJsonString } from "../outbound/provider-request";
import type { Mailer } from "./mailer";

export const RESEND_URL = "https://api.resend.com/emails";

export interface ProviderMailerOptions {
  apiKey: string;
  from: string;
  timeoutMs: number;
  fetch: typeof fetch;
}

export function createResendMailer(options: ProviderMailerOptions): Mailer {
  return {
    send: (message) =>
      deliverThroughProvider(
        {
          provider: "resend",
          kind: message.kind,
          url: RESEND_URL,
          init: {
            method: "POST",
            headers: { Authorization: `Bearer ${options.apiKey}`, "Content-Type": "application/json" },
            body: JSON.stringify({
              from: options.from,
              to: [message.to],
              subject: message.subject,
              html: message.html,
              text: message.text,
            }),
          },
          fetch: options.fetch,
          timeoutMs: options.timeoutMs,
        },
        async (response) => accepted(await readJsonString(response, "id")),
      ),
  };
}
