// The dev outbox Mailer for `wrangler dev`: delivers nothing. It prints each message and keeps it in
// the outbox store (src/storage/kv/outbox-store.ts), beside the dev SmsSender's texts.

import type { DeliveryOutcome } from "../outbound/provider-request";
import { keepInOutbox } from "../storage/kv/outbox-store";
import type { Mailer, MailMessage } from "./mailer";

export interface DevOutboxOptions {
  kv: KVNamespace;
  /**
   * Print the code and link too. Only when DEV_OUTBOX is on (which config allows on a localhost
   * issuer only): the outbox is the default provider, and codes must never reach production logs.
   */
  printSecrets: boolean;
  now?: () => number;
}

export function createDevOutboxMailer(options: DevOutboxOptions): Mailer {
  const now = options.now ?? Date.now;
  return {
    async send(message: MailMessage): Promise<DeliveryOutcome> {
      const entry = await keepInOutbox(
        options.kv,
        {
          channel: "email",
          to: message.to,
          subject: message.subject,
          kind: message.kind,
          text: message.text,
          html: message.html,
          ...(message.meta?.code ? { code: message.meta.code } : {}),
          ...(message.meta?.link ? { link: message.meta.link } : {}),
        },
        now(),
      );
      const secrets = options.printSecrets
        ? `${entry.code ? ` code=${entry.code}` : ""}${entry.link ? ` link=${entry.link}` : ""}`
        : "";
      console.log(`[dev-outbox] ${message.kind} to=${message.to} subject="${message.subject}"${secrets}`);
      return { ok: true, providerId: entry.id };
    },
  };
}
