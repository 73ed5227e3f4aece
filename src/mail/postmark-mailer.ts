// Postmark: POST https://api.postmarkapp.com/email with the server token in X-Postmark-Server-Token
// and a JSON body; transactional mail goes to the "outbound" stream. Answers {"MessageID": "..."}.
// https://postmarkapp.com/developer/api/email-api

import { accepted, deliverThroughProvider, readJsonString } from "../outbound/provider-request";
import type { Mailer } from "./mailer";
import type { ProviderMailerOptions } from "./resend-mailer";

export const POSTMARK_URL = "https://api.postmarkapp.com/email";

export function createPostmarkMailer(options: ProviderMailerOptions): Mailer {
  return {
    send: (message) =>
      deliverThroughProvider(
        {
          provider: "postmark",
          kind: message.kind,
          url: POSTMARK_URL,
          init: {
            method: "POST",
            headers: {
              Accept: "application/json",
              "Content-Type": "application/json",
              "X-Postmark-Server-Token": options.apiKey,
            },
            body: JSON.stringify({
              From: options.from,
              To: message.to,
              Subject: message.subject,
              TextBody: message.text,
              HtmlBody: message.html,
              MessageStream: "outbound",
            }),
          },
          fetch: options.fetch,
          timeoutMs: options.timeoutMs,
        },
        async (response) => accepted(await readJsonString(response, "MessageID")),
      ),
  };
}
