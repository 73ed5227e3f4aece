// Helpers for the Bookings suites: accounts made through /auth/register/ as its clients make them, its
// token pair, the reset flow's steps (the mailed code, verify's token), and rows read from D1.
import { env } from "cloudflare:workers";
import type { Bindings } from "../../src/bindings";
import { PASSWORD, uniqueEmail } from "./accounts";
import { type CallOptions, call, callWith, readJson } from "./http";
import { latestCode } from "./mail";

/** simplejwt's pair. */
export interface BookingsPair {
  access: string;
  refresh: string;
}

export const JWT = /^[\w-]+\.[\w-]+\.[\w-]+$/;
export const TOKEN_NOT_VALID = { detail: "Token is invalid or expired", code: "token_not_valid" };
export const NO_ACCOUNT = { detail: "No active account found with the given credentials" };
export const NEW_PASSWORD = "a brand new passphrase";

/** The document's register body, every required field filled. */
export function registerBody(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    first_name: "Ada",
    last_name: "Lovelace",
    email: uniqueEmail("bookings"),
    phone_no: "+15555550123",
    ...fields,
  };
}

/** POST /auth/register/ (JSON by default); fails the test unless it answers 201. */
export async function bookingsRegister(fields: Record<string, unknown> = {}): Promise<{ email: string }> {
  const json = registerBody(fields);
  const response = await call("POST", "/auth/register/", { json });
  if (response.status !== 201) throw new Error(`bookings register: ${response.status} ${await response.text()}`);
  return { email: String(json.email) };
}

export function bookingsLogIn(email: string, password = PASSWORD, options: CallOptions = {}): Promise<Response> {
  return call("POST", "/auth/token/", { json: { email, password }, ...options });
}

/** An account registered with a password (the test env verifies nothing), and a pair from /auth/token/. */
export async function bookingsAccount(): Promise<BookingsPair & { email: string; userId: string }> {
  const { email } = await bookingsRegister({ password: PASSWORD });
  const response = await bookingsLogIn(email);
  if (response.status !== 200) throw new Error(`bookings login: ${response.status} ${await response.text()}`);
  return { email, userId: await userIdOf(email), ...(await readJson<BookingsPair>(response)) };
}

export async function userIdOf(email: string): Promise<string> {
  const row = await env.DB.prepare("select id from users where email = ?").bind(email).first<{ id: string }>();
  if (!row) throw new Error(`no user row for ${email}`);
  return row.id;
}

export interface BookingsUserRow {
  first_name: string | null;
  last_name: string | null;
  address: string | null;
  phone: string | null;
  phone_verified: number;
  email_verified: number;
  password_hash: string | null;
}

export async function userRowOf(email: string): Promise<BookingsUserRow | null> {
  return env.DB.prepare(
    "select first_name, last_name, address, phone, phone_verified, email_verified, password_hash from users where email = ?",
  )
    .bind(email)
    .first<BookingsUserRow>();
}

/** POST /auth/password/reset/ with `bindings` (another knob), waiting for deferred mail. */
export function requestReset(email: string, bindings: Bindings = env): Promise<Response> {
  return callWith(bindings, "POST", "/auth/password/reset/", { json: { email } });
}

/** Asks for a reset code and reads it from the mail. */
export async function resetCodeFor(email: string): Promise<string> {
  const response = await requestReset(email);
  if (response.status !== 200) throw new Error(`bookings reset: ${response.status} ${await response.text()}`);
  return (await latestCode(email, "reset_password")).code;
}

export function verifyOtp(email: string, otp: unknown, path = "/auth/password/reset/verify"): Promise<Response> {
  return call("POST", path, { json: { email, otp } });
}

/** The reset token verify answers for the right code. */
export async function resetTokenFor(email: string, code: string): Promise<string> {
  const response = await verifyOtp(email, code);
  if (response.status !== 200) throw new Error(`bookings verify: ${response.status} ${await response.text()}`);
  return (await readJson<{ token: string }>(response)).token;
}

export function confirmReset(json: Record<string, unknown>): Promise<Response> {
  return call("POST", "/auth/password/reset/confirm/", { json });
}

/** The account's guess count at codes of `purpose`, or null when nothing is counted. */
export async function guessesOf(userId: string, purpose: string): Promise<number | null> {
  const row = await env.DB.prepare("select failures from code_failures where user_id = ? and purpose = ?")
    .bind(userId, purpose)
    .first<{ failures: number }>();
  return row?.failures ?? null;
}
