// SendGrid v3: POST https://api.sendgrid.com/v3/mail/send with a Bearer key. The API requires
// text/plain before text/html in `content`; it answers 202 with the id in the X-Message-Id header.
// https://www.twilio.com/docs/sendgrid/api-reference/mail-send/mail-send

import { parseMailbox } from "../config/mailbox";
import { accepted, deliverThroughProvider } from "../outbound/provider-request";
import type { Mailer } from "./mailer";
import type { ProviderMailerOptions } from "./resend-mailer";

export const SENDGRID_URL = "https://api.sendgrid.com/v3/mail/send";

export function createSendgridMailer(options: ProviderMailerOptions): Mailer {
  // SendGrid takes the sender as {email, name}, not as "Name <address>"; config has validated it.
  const from = parseMailbox(options.from) ?? { email: options.from };
  return {
    send: (message) =>
      deliverThroughProvider(
        {
          provider: "sendgrid",
          kind: message.kind,
          url: SENDGRID_URL,
          init: {
            method: "POST",
            headers: { Authorization: `Bearer ${options.apiKey}`, "Content-Type": "application/json" },
            body: JSON.stringify({
              personalizations: [{ to: [{ email: message.to }] }],
              from,
              subject: message.subject,
              content: [
                { type: "text/plain", value: message.text },
                { type: "text/html", value: message.html },
              ],
            }),
          },
          fetch: options.fetch,
          timeoutMs: options.timeoutMs,
        },
        async (response) => accepted(response.headers.get("X-Message-Id") ?? undefined),
      ),
  };
}
