// The Workers Rate Limiting binding as services see it: the first gate before any hashing or
// database work. Keys never hold an address or number in the clear (the limiter sees hashes), and an
// unknown address is limited exactly like a known one, so a 429 reveals nothing about accounts.

import { sha256Base64Url } from "../crypto/random";
import { fail, type Result, succeed } from "../errors";
import type { ServiceContext } from "./context";
import { normalizeEmail } from "./identifiers";
import { rateLimitKeyOfIp } from "./ip-address";

/** The bindings: per client IP, per mail or SMS recipient and account, per login identifier. */
export interface RateLimiters {
  ip: RateLimit;
  mail: RateLimit;
  identifier: RateLimit;
}

async function admit(limiter: RateLimit, key: string, what: string): Promise<Result<void>> {
  const { success } = await limiter.limit({ key });
  return success ? succeed(undefined) : fail("rate_limited", { reason: `${what} limit` });
}

/** Per client IP (an IPv6 client by its /64); a request without one shares the "unknown" bucket. */
export function admitPerIp(context: ServiceContext, bucket: string, ip: string | null): Promise<Result<void>> {
  const key = ip ? rateLimitKeyOfIp(ip) : "unknown";
  return admit(context.rateLimiters.ip, `${bucket}:${key}`, `ip on ${bucket}`);
}

/** Per recipient address, on endpoints that mail it (the address hashed, normalized first). */
export async function admitPerAddress(
  context: ServiceContext,
  bucket: string,
  rawEmail: string,
): Promise<Result<void>> {
  const key = await sha256Base64Url(normalizeEmail(rawEmail) ?? rawEmail.trim().toLowerCase());
  return admit(context.rateLimiters.mail, `${bucket}:${key}`, `address on ${bucket}`);
}

/** Per account, on endpoints a signed-in caller can make send mail or texts. */
export function admitPerAccount(context: ServiceContext, bucket: string, userId: string): Promise<Result<void>> {
  return admit(context.rateLimiters.mail, `${bucket}-account:${userId}`, `account on ${bucket}`);
}
