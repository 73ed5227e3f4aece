// Password login. Unknown account, wrong password and disabled account are one answer,
// reached through the same scrypt work, so neither the response nor its timing tells them apart.

import { hashPassword, verifyDummyPassword, verifyPassword } from "../crypto/password-hash";
import { fail, type Result, succeed } from "../errors";
import type { UserRow } from "../storage/schema";
import { findUserByEmail, findUserByUsername, replacePasswordHash } from "../storage/user-store";
import type { ClientInfo, ServiceContext } from "./context";
import { normalizeEmail, normalizeUsername } from "./identifiers";
import { admitLogin, clearLoginFailures } from "./login-throttle";
import { finishFirstFactor, type LoginOutcome } from "./mfa-service";

export type LoginInput = { password: string } & ({ email: string } | { username: string });

export async function logIn(
  context: ServiceContext,
  input: LoginInput,
  client: ClientInfo,
): Promise<Result<LoginOutcome>> {
  // Before any lookup or hashing: a locked identifier (known or not) costs no scrypt.
  const admission = await admitLogin(context, input);
  if (!admission.admitted) return fail("invalid_credentials", { reason: "identifier locked after failures" });
  const user = await findLoginUser(context, input);
  const policy = context.config.passwordScrypt;
  if (!user?.passwordHash) {
    await verifyDummyPassword(input.password, policy);
    return fail("invalid_credentials", { reason: user ? "account has no password" : "unknown account" });
  }
  const verification = await verifyPassword(input.password, user.passwordHash, policy);
  if (!verification.valid) return fail("invalid_credentials", { reason: "wrong password" });
  if (user.disabledAt !== null) return fail("invalid_credentials", { reason: "account disabled" });
  await clearLoginFailures(context, admission.identifierHash);
  // Only after a correct password, so this answer reveals nothing to someone guessing.
  if (context.config.emailVerification === "required" && !user.emailVerified) {
    return fail("email_not_verified", { reason: "login before verifying the address" });
  }

  if (verification.needsRehash) {
    // Compare-and-swap: a concurrent password change wins over this upgrade.
    const upgraded = await hashPassword(input.password, policy);
    await replacePasswordHash(context.db, user.id, user.passwordHash, upgraded, context.now());
  }
  // An account with a second factor gets an MFA challenge here, and no session until it is met.
  return succeed(await finishFirstFactor(context, user, client, ["pwd"]));
}

async function findLoginUser(context: ServiceContext, input: LoginInput): Promise<UserRow | undefined> {
  if ("email" in input) {
    const email = normalizeEmail(input.email);
    return email ? findUserByEmail(context.db, email) : undefined;
  }
  const username = normalizeUsername(input.username);
  return username ? findUserByUsername(context.db, username) : undefined;
}
