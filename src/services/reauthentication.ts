// The password check of a signed-in caller before a sensitive change (second factors, email,
// deletion): a bearer token alone must not be enough. An account without a password never matches.

import { verifyPassword } from "../crypto/password-hash";
import type { UserRow } from "../storage/schema";
import type { ServiceContext } from "./context";

export async function passwordMatches(context: ServiceContext, user: UserRow, password: string): Promise<boolean> {
  if (!user.passwordHash) return false;
  return (await verifyPassword(password, user.passwordHash, context.config.passwordScrypt)).valid;
}
