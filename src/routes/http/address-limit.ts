// Rate limit per submitted address (hashed: the limiter never sees an address), for endpoints that
// send mail. Unknown addresses are limited exactly like known ones, so a 429 reveals nothing.

import type { Context } from "hono";
import { AppError } from "../../errors";
import { admitPerAddress } from "../../services/abuse-limits";
import type { AppEnv } from "./app-env";

export async function limitPerAddress(c: Context<AppEnv>, bucket: string, rawEmail: string): Promise<void> {
  const admitted = await admitPerAddress(c.get("services"), bucket, rawEmail);
  if (!admitted.ok) throw new AppError(admitted.error);
}
