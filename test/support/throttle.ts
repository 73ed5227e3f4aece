// Helpers for the abuse-limit suites: random client IPs, the rate limiter's wall-clock windows, and
// the login_failures row of an identifier.
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { hashOneTimeSecret, importCodeHashKey } from "../../src/crypto/one-time-code";
import { canonicalLoginIdentifier, type LoginIdentifier } from "../../src/services/login-throttle";
import { readJson } from "./http";

/** A random IPv6 address from the documentation prefix, so no other test shares its limiter key. */
export function randomIp(): string {
  const groups = Array.from(crypto.getRandomValues(new Uint16Array(4)), (group) => group.toString(16));
  return `2001:db8:${groups.join(":")}::1`;
}

/**
 * Local rate-limit windows are aligned to the wall clock (production's are not documented to be):
 * waits until at least `marginMs` of the current minute is left, so a burst falls in one window.
 */
export async function awaitFreshMinute(marginMs = 15_000): Promise<void> {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < marginMs) await new Promise((resolve) => setTimeout(resolve, left + 250));
}

export interface FailureRow {
  identifier_hash: string;
  failures: number;
  locked_until: number | null;
  updated_at: number;
}

/** The stored key: HMAC-SHA256(OTP_SECRET, "login" ∥ canonical identifier). */
export async function identifierHashOf(identifier: LoginIdentifier): Promise<string> {
  if (!env.OTP_SECRET) throw new Error("OTP_SECRET is not bound in the test env");
  const key = await importCodeHashKey(env.OTP_SECRET);
  return hashOneTimeSecret(key, "login", canonicalLoginIdentifier(identifier));
}

/**
 * The key of the row that counts `identifier`: its account's ("account:<user id>") when it names one,
 * else the keyed hash of the identifier itself.
 */
export async function failureKeyOf(identifier: LoginIdentifier): Promise<string> {
  const [column, value] = "email" in identifier ? ["email", identifier.email] : ["username", identifier.username];
  const user = await env.DB.prepare(`select id from users where ${column} = ?`)
    .bind(value.trim().toLowerCase())
    .first<{ id: string }>();
  return user ? `account:${user.id}` : identifierHashOf(identifier);
}

export async function failureRowOf(identifier: LoginIdentifier): Promise<FailureRow | null> {
  return env.DB.prepare("select * from login_failures where identifier_hash = ?")
    .bind(await failureKeyOf(identifier))
    .first<FailureRow>();
}

/** Moves a lock into the past, as if its cooling-off period had run out. */
export async function endLock(identifier: LoginIdentifier): Promise<void> {
  const now = Math.floor(Date.now() / 1000);
  await env.DB.prepare("update login_failures set locked_until = ? where identifier_hash = ?")
    .bind(now - 1, await failureKeyOf(identifier))
    .run();
}

export const nowSeconds = (): number => Math.floor(Date.now() / 1000);

/** A request the rate-limit binding refused: 429 rate_limited as a problem document, with Retry-After. */
export async function expectRateLimited(response: Response): Promise<void> {
  expect(response.status).toBe(429);
  expect(response.headers.get("Content-Type")).toBe("application/problem+json");
  expect(Number(response.headers.get("Retry-After"))).toBeGreaterThanOrEqual(1);
  expect(await readJson(response)).toEqual({
    type: "urn:edge-auth:error:rate_limited",
    title: "Too many requests",
    status: 429,
    code: "rate_limited",
  });
}
