// The dev outbox: a Mailer for `wrangler dev` that delivers nothing. It prints each message and keeps
// it in KV so GET /dev/outbox (and tests) can read the code and link the way a user would. SMS from
// the dev SmsSender (src/sms/dev-outbox-sms.ts) lands here too, through keepInOutbox.
// Owns the `outbox:` KV prefix.

import type { SmsKind } from "../sms/sms-sender";
import type { Mailer, MailKind, MailMessage } from "./mailer";

const OUTBOX_PREFIX = "outbox:";
/** Long enough to finish a flow the next morning; KV's minimum is 60 s. */
const OUTBOX_TTL_SECONDS = 86_400;
/** KV's bulk get takes at most 100 keys. */
const OUTBOX_MAX_LIST = 100;
const OUTBOX_DEFAULT_LIST = 50;
// KV lists keys in byte order, so the inverted, zero-padded time makes the newest sort first.
const TIMESTAMP_CEILING_MS = 9_999_999_999_999;
const TIMESTAMP_DIGITS = 13;

export type OutboxChannel = "email" | "sms";

export interface OutboxEntry {
  id: string;
  /** "sms" entries have the text only (subject and html are empty); `to` is then an E.164 number. */
  channel: OutboxChannel;
  to: string;
  subject: string;
  kind: MailKind | SmsKind;
  text: string;
  html: string;
  code?: string;
  link?: string;
  /** Unix seconds. */
  created_at: number;
}

export interface DevOutboxOptions {
  kv: KVNamespace;
  /**
   * Print the code and link too. Only when DEV_OUTBOX is on (which config allows on a localhost
   * issuer only): the outbox is the default provider, and codes must never reach production logs.
   */
  printSecrets: boolean;
  now?: () => number;
}

function outboxKey(nowMs: number, id: string): string {
  const inverted = String(TIMESTAMP_CEILING_MS - nowMs).padStart(TIMESTAMP_DIGITS, "0");
  return `${OUTBOX_PREFIX}${inverted}:${id}`;
}

/** Keeps one message (mail or SMS) for a day and returns the entry as listed. */
export async function keepInOutbox(
  kv: KVNamespace,
  message: Omit<OutboxEntry, "id" | "created_at">,
  nowMs: number,
): Promise<OutboxEntry> {
  const id = crypto.randomUUID();
  const entry: OutboxEntry = { id, ...message, created_at: Math.floor(nowMs / 1000) };
  await kv.put(outboxKey(nowMs, id), JSON.stringify(entry), { expirationTtl: OUTBOX_TTL_SECONDS });
  return entry;
}

export function createDevOutboxMailer(options: DevOutboxOptions): Mailer {
  const now = options.now ?? Date.now;
  return {
    async send(message: MailMessage) {
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

/** The kept messages, newest first. */
export async function listOutbox(kv: KVNamespace, limit = OUTBOX_DEFAULT_LIST): Promise<OutboxEntry[]> {
  const count = Math.min(Math.max(1, Math.floor(limit)), OUTBOX_MAX_LIST);
  const listed = await kv.list({ prefix: OUTBOX_PREFIX, limit: count });
  const names = listed.keys.map((key) => key.name);
  if (names.length === 0) return [];
  const values = await kv.get<OutboxEntry>(names, "json");
  // An entry can expire between list and get; skip it rather than fail the page. Entries kept before
  // SMS joined the outbox have no channel: they are mail.
  return names
    .map((name) => values.get(name))
    .filter((entry): entry is OutboxEntry => entry != null)
    .map((entry) => ({ ...entry, channel: entry.channel ?? "email" }));
}
