// The second gate after the per-IP one: the Workers Rate Limiting binding per submitted identifier
// (email or username), so many addresses cannot spread guesses at one account. The limiter sees
// only a keyed hash, and unknown identifiers are limited exactly like known ones, so a 429 reveals
// nothing about whether an account exists.

import type { Context } from "hono";
import { hashOneTimeSecret } from "../../crypto/one-time-code";
import { AppError } from "../../errors";
import type { AppEnv } from "./app-env";

/** `canonicalIdentifier` is the normalized form (see canonicalLoginIdentifier), so `A@x.io` and `a@x.io` share a count. */
export async function limitPerIdentifier(
  c: Context<AppEnv>,
  bucket: string,
  canonicalIdentifier: string,
): Promise<void> {
  const key = await hashOneTimeSecret(c.get("services").otpKey, "rate_limit", canonicalIdentifier);
  const { success } = await c.env.RATE_LIMIT_IDENTIFIER.limit({ key: `${bucket}:${key}` });
  if (!success) throw new AppError({ code: "rate_limited", reason: `identifier limit on ${bucket}` });
}
