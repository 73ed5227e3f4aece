// Helpers for the mail-flow suites: the bindings with verification required or a real provider,
// mail read the way a user would (the dev outbox), and one-time code rows read from D1.
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import type { Bindings } from "../../src/bindings";
import type { MailKind } from "../../src/mail/mailer";
import { OUTBOX_PREFIX } from "../../src/storage/kv/keys";
import type { OutboxEntry } from "../../src/storage/kv/outbox-store";
import { PASSWORD, uniqueEmail } from "./accounts";
import { type CallOptions, callWith, readJson } from "./http";

/**
 * The test bindings with verification required; one object, so its service context is cached. No
 * dialect that signs unverified accounts in (crema, wolfpal by default) is mounted, so a sign-up
 * replaces a never-verified registration, as it does wherever none is.
 */
export const requiredEnv: Bindings = { ...env, EMAIL_VERIFICATION: "required", DIALECTS: "bookings,nap,bioentrust" };

/** Verification required and mail through Resend, whose API the tests answer by stubbing fetch. */
export const resendEnv: Bindings = {
  ...env,
  EMAIL_VERIFICATION: "required",
  MAIL_PROVIDER: "resend",
  MAIL_API_KEY: "re_test_key",
  MAIL_FROM: "Auth <auth@example.com>",
};

/** With verification required, waiting for deferred work. */
export function callRequired(method: string, path: string, options: CallOptions = {}): Promise<Response> {
  return callWith(requiredEnv, method, path, options);
}

/**
 * Mail kept in the dev outbox for `to` (optionally of one kind), newest first. The outbox is shared
 * by every file in this workerd, and a file that froze or advanced the clock keeps entries that list
 * as newer than now: so pages of 100 are read until the page after the first that had a match.
 */
export async function mailTo(to: string, kind?: MailKind): Promise<OutboxEntry[]> {
  const found: OutboxEntry[] = [];
  let cursor: string | undefined;
  let pagesAfterMatch = 0;
  do {
    const page = await env.KV.list({ prefix: OUTBOX_PREFIX, limit: 100, ...(cursor ? { cursor } : {}) });
    const values =
      page.keys.length > 0
        ? await env.KV.get<OutboxEntry>(
            page.keys.map((key) => key.name),
            "json",
          )
        : new Map();
    const matches = page.keys
      .map((key) => values.get(key.name))
      .filter(
        (entry): entry is OutboxEntry =>
          entry != null && entry.to === to && (kind === undefined || entry.kind === kind),
      );
    found.push(...matches);
    if (found.length > 0 && matches.length === 0) pagesAfterMatch += 1;
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor && pagesAfterMatch < 1);
  return found;
}

export interface ReceivedCode {
  code: string;
  link: string;
  token: string;
}

/** The code and link of the newest mail of `kind` to `to`; fails the test when there is none. */
export async function latestCode(to: string, kind: MailKind): Promise<ReceivedCode> {
  const [entry] = await mailTo(to, kind);
  if (!entry?.code || !entry.link) throw new Error(`no ${kind} mail with a code to ${to}`);
  return { code: entry.code, link: entry.link, token: tokenOf(entry.link) };
}

export function tokenOf(link: string): string {
  const token = new URL(link).searchParams.get("token");
  if (!token) throw new Error(`no token in ${link}`);
  return token;
}

/**
 * What a dead code or link answers an anonymous caller: a link code_expired, a code invalid_code
 * (the same as a wrong one, so a request id does not tell whether an account stands behind it).
 */
function deadCodeAnswer(json: object): "code_expired" | "invalid_code" {
  return "token" in json ? "code_expired" : "invalid_code";
}

/**
 * Presents `issued` both ways, as `{ otp_request_id, code }` and as the link's `{ token }` (each with
 * `extra` fields), to POST `path` through `send`, and expects each refused as dead: 400 with the
 * code deadCodeAnswer names.
 */
export async function expectCodeAndLinkDead(
  send: (method: string, path: string, options: CallOptions) => Promise<Response>,
  path: string,
  issued: { requestId: string; received: ReceivedCode },
  extra: Record<string, unknown> = {},
): Promise<void> {
  for (const json of [
    { otp_request_id: issued.requestId, code: issued.received.code, ...extra },
    { token: issued.received.token, ...extra },
  ]) {
    const response = await send("POST", path, { json });
    expect(response.status).toBe(400);
    expect(await readJson(response)).toMatchObject({ code: deadCodeAnswer(json) });
  }
}

/** A different code of the same length (the last digit changed). */
export function wrongCode(code: string): string {
  const last = Number(code.at(-1));
  return `${code.slice(0, -1)}${(last + 1) % 10}`;
}

export interface PendingAccount {
  email: string;
  password: string;
  userId: string;
  requestId: string;
  received: ReceivedCode;
}

/** Signs up with verification required and reads the verification mail. */
export async function signUpPending(email = uniqueEmail(), password = PASSWORD): Promise<PendingAccount> {
  const response = await callRequired("POST", "/v1/signup", { json: { email, password } });
  if (response.status !== 201) throw new Error(`sign-up failed: ${response.status} ${await response.text()}`);
  const { otp_request_id: requestId } = await readJson<{ otp_request_id: string }>(response);
  const user = await env.DB.prepare("select id from users where email = ?").bind(email).first<{ id: string }>();
  if (!user) throw new Error(`no user row for ${email}`);
  return { email, password, userId: user.id, requestId, received: await latestCode(email, "verify_email") };
}

export interface CodeRow {
  id: string;
  user_id: string;
  purpose: string;
  target: string;
  code_hash: string;
  link_hash: string;
  attempts: number;
  created_at: number;
  expires_at: number;
  consumed_at: number | null;
  superseded_at: number | null;
}

export async function codeRow(requestId: string): Promise<CodeRow | null> {
  return env.DB.prepare("select * from one_time_codes where id = ?").bind(requestId).first<CodeRow>();
}

export async function codeRowsOf(userId: string, purpose?: string): Promise<CodeRow[]> {
  const { results } = await env.DB.prepare(
    "select * from one_time_codes where user_id = ? and (?2 is null or purpose = ?2) order by created_at, rowid",
  )
    .bind(userId, purpose ?? null)
    .all<CodeRow>();
  return results;
}

export interface UserState {
  email: string;
  email_verified: number;
  password_hash: string;
}

export async function userState(userId: string): Promise<UserState | null> {
  return env.DB.prepare("select email, email_verified, password_hash from users where id = ?")
    .bind(userId)
    .first<UserState>();
}
