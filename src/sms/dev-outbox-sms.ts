// The dev SmsSender: sends nothing, keeps each text in the same outbox store as mail (channel "sms",
// src/storage/kv/outbox-store.ts), so GET /dev/outbox and the tests read SMS codes the way a user
// would read their phone.

import { keepInOutbox } from "../storage/kv/outbox-store";
import type { SmsMessage, SmsSender } from "./sms-sender";

export interface DevOutboxSmsOptions {
  kv: KVNamespace;
  /** Print the code too: only when DEV_OUTBOX is on (localhost), never into production logs. */
  printSecrets: boolean;
  now?: () => number;
}

export function createDevOutboxSmsSender(options: DevOutboxSmsOptions): SmsSender {
  const now = options.now ?? Date.now;
  return {
    async send(message: SmsMessage) {
      const entry = await keepInOutbox(
        options.kv,
        {
          channel: "sms",
          to: message.to,
          subject: "",
          kind: message.kind,
          text: message.body,
          html: "",
          ...(message.meta?.code ? { code: message.meta.code } : {}),
        },
        now(),
      );
      const secret = options.printSecrets && entry.code ? ` code=${entry.code}` : "";
      console.log(`[dev-outbox] sms ${message.kind} to=${message.to}${secret}`);
      return { ok: true, providerId: entry.id };
    },
  };
}
