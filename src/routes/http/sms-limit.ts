// Limits on endpoints that text a code: per number (hashed: the limiter never sees it) and per
// account, on RATE_LIMIT_MAIL's budget with prefixes of their own. Texts cost money and reach a
// person, so neither one number nor one account may be made to send many (SMS pumping).

import type { Context } from "hono";
import { sha256Base64Url } from "../../crypto/random";
import { AppError } from "../../errors";
import type { AppEnv } from "./app-env";

export async function limitSmsSends(c: Context<AppEnv>, userId: string, phone: string): Promise<void> {
  const numberKey = `sms-number:${await sha256Base64Url(phone)}`;
  for (const key of [numberKey, `sms-account:${userId}`]) {
    const { success } = await c.env.RATE_LIMIT_MAIL.limit({ key });
    if (!success) throw new AppError({ code: "rate_limited", reason: `SMS limit on ${key.split(":")[0]}` });
  }
}
