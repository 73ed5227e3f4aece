// Rate limit per submitted address (hashed: the limiter never sees an address), for endpoints that
// send mail. Unknown addresses are limited exactly like known ones, so a 429 reveals nothing.

import type { Context } from "hono";
import { sha256Base64Url } from "../../crypto/random";
import { AppError } from "../../errors";
import { normalizeEmail } from "../../services/identifiers";
import type { AppEnv } from "./app-env";

export async function limitPerAddress(c: Context<AppEnv>, bucket: string, rawEmail: string): Promise<void> {
  const key = await sha256Base64Url(normalizeEmail(rawEmail) ?? rawEmail.trim().toLowerCase());
  const { success } = await c.env.RATE_LIMIT_MAIL.limit({ key: `${bucket}:${key}` });
  if (!success) throw new AppError({ code: "rate_limited", reason: `address limit on ${bucket}` });
}
