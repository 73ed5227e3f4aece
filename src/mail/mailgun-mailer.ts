// Mailgun: POST https://api.mailgun.net/v3/{domain}/messages (api.eu.mailgun.net for EU domains) with
// HTTP Basic auth "api:<key>" and a multipart/form-data body, the encoding its API reference gives
// for this endpoint. Answers {"id": "<...>", "message": "Queued. Thank you."}.
// https://documentation.mailgun.com/docs/mailgun/api-reference/send/mailgun/messages

import { accepted, deliverThroughProvider, readJsonString } from "../outbound/provider-request";
import type { Mailer } from "./mailer";
import type { ProviderMailerOptions } from "./resend-mailer";

const MAILGUN_HOSTS = { us: "https://api.mailgun.net", eu: "https://api.eu.mailgun.net" } as const;

export function mailgunMessagesUrl(domain: string, region: "us" | "eu"): string {
  return `${MAILGUN_HOSTS[region]}/v3/${encodeURIComponent(domain)}/messages`;
}

export function createMailgunMailer(options: ProviderMailerOptions & { domain: string; region: "us" | "eu" }): Mailer {
  const url = mailgunMessagesUrl(options.domain, options.region);
  const authorization = `Basic ${btoa(`api:${options.apiKey}`)}`;
  return {
    send: (message) => {
      const form = new FormData();
      form.set("from", options.from);
      form.set("to", message.to);
      form.set("subject", message.subject);
      form.set("text", message.text);
      form.set("html", message.html);
      return deliverThroughProvider(
        {
          provider: "mailgun",
          kind: message.kind,
          url,
          // No Content-Type here: fetch sets multipart/form-data with its boundary.
          init: { method: "POST", headers: { Authorization: authorization }, body: form },
          fetch: options.fetch,
          timeoutMs: options.timeoutMs,
        },
        async (response) => accepted(await readJsonString(response, "id")),
      );
    },
  };
}
