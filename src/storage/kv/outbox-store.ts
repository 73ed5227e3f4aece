// The dev outbox's store, under the `outbox:` prefix of keys.ts: mail from the dev Mailer and texts
// from the dev SmsSender, kept for a day so GET /dev/outbox and the tests read codes and links the way
// a user would. Only the outbox providers write here, and config allows them on a local issuer only.

import { OUTBOX_PREFIX, OUTBOX_TTL_SECONDS, outboxKey } from "./keys";

/** KV's bulk get takes at most 100 keys. */
const OUTBOX_MAX_LIST = 100;
const OUTBOX_DEFAULT_LIST = 50;

export type OutboxChannel = "email" | "sms";

export interface OutboxEntry {
  id: string;
  /** "sms" entries have the text only (subject and html are empty); `to` is then an E.164 number. */
  channel: OutboxChannel;
  to: string;
  subject: string;
  /** The MailKind or SmsKind of the message. */
  kind: string;
  text: string;
  html: string;
  code?: string;
  link?: string;
  /** Unix seconds. */
  created_at: number;
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
