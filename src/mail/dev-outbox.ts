// The dev outbox: a Mailer for `wrangler dev` that delivers nothing. It prints each message and keeps
// it in KV so GET /dev/outbox (and tests) can read the code and link the way a user would.
// Owns the `outbox:` KV prefix.

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

export interface OutboxEntry {
  id: string;
  to: string;
  subject: string;
  kind: MailKind;
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

export function createDevOutboxMailer(options: DevOutboxOptions): Mailer {
  const now = options.now ?? Date.now;
  return {
    async send(message: MailMessage) {
      const nowMs = now();
      const id = crypto.randomUUID();
      const entry: OutboxEntry = {
        id,
        to: message.to,
        subject: message.subject,
        kind: message.kind,
        text: message.text,
        html: message.html,
        ...(message.meta?.code ? { code: message.meta.code } : {}),
        ...(message.meta?.link ? { link: message.meta.link } : {}),
        created_at: Math.floor(nowMs / 1000),
      };
      await options.kv.put(outboxKey(nowMs, id), JSON.stringify(entry), { expirationTtl: OUTBOX_TTL_SECONDS });
      const secrets = options.printSecrets
        ? `${entry.code ? ` code=${entry.code}` : ""}${entry.link ? ` link=${entry.link}` : ""}`
        : "";
      console.log(`[dev-outbox] ${message.kind} to=${message.to} subject="${message.subject}"${secrets}`);
      return { ok: true, providerId: id };
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
  // An entry can expire between list and get; skip it rather than fail the page.
  return names.map((name) => values.get(name)).filter((entry): entry is OutboxEntry => entry != null);
}
