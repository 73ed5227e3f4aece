// Helpers for the mail-flow suites: run the Worker with other bindings (verification required, a
// real provider) and wait for its deferred work, read mail the way a user would (the dev outbox),
// and read one-time code rows from D1.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { Bindings } from "../../src/bindings";
import worker from "../../src/index";
import type { MailKind } from "../../src/mail/mailer";
import { listOutbox, type OutboxEntry } from "../../src/storage/kv/outbox-store";
import { PASSWORD, uniqueEmail } from "./accounts";
import { buildRequest, type CallOptions, readJson } from "./http";

/** The test bindings with verification required; one object, so its service context is cached. */
export const requiredEnv: Bindings = { ...env, EMAIL_VERIFICATION: "required" };

/** Verification required and mail through Resend, whose API the tests answer by stubbing fetch. */
export const resendEnv: Bindings = {
  ...env,
  EMAIL_VERIFICATION: "required",
  MAIL_PROVIDER: "resend",
  MAIL_API_KEY: "re_test_key",
  MAIL_FROM: "Auth <auth@example.com>",
};

/** Calls the Worker's fetch handler with `bindings` and waits for everything it deferred (mail). */
export async function callWith(
  bindings: Bindings,
  method: string,
  path: string,
  options: CallOptions = {},
): Promise<Response> {
  const ctx = createExecutionContext();
  const request = buildRequest(method, path, options) as Request<unknown, IncomingRequestCfProperties>;
  const response = await worker.fetch(request, bindings, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/** With the default test bindings (verification optional), waiting for deferred work. */
export function callAndSettle(method: string, path: string, options: CallOptions = {}): Promise<Response> {
  return callWith(env, method, path, options);
}

/** With verification required, waiting for deferred work. */
export function callRequired(method: string, path: string, options: CallOptions = {}): Promise<Response> {
  return callWith(requiredEnv, method, path, options);
}

/** Mail kept in the dev outbox for `to` (optionally of one kind), newest first. */
export async function mailTo(to: string, kind?: MailKind): Promise<OutboxEntry[]> {
  const entries = await listOutbox(env.KV, 100);
  return entries.filter((entry) => entry.to === to && (kind === undefined || entry.kind === kind));
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
export function deadCodeAnswer(json: object): "code_expired" | "invalid_code" {
  return "token" in json ? "code_expired" : "invalid_code";
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

export async function liveSessionCount(userId: string): Promise<number> {
  const row = await env.DB.prepare("select count(*) as n from sessions where user_id = ? and revoked_at is null")
    .bind(userId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

/**
 * Rate-limit windows are aligned to the wall clock; waits until at least `marginMs` of the current
 * minute is left, so a test's requests all fall in one window.
 */
export async function awaitFreshMinute(marginMs = 15_000): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 250));
}
