// Password login. Unknown account, wrong password and disabled account are one answer,
// reached through the same scrypt work, so neither the response nor its timing tells them apart.
//
// Beyond the hash, D1 round trips are most of what a login costs, so the common path makes two: one
// batch before the hash (the lock's count, and the account with its TOTP state) and one after it
// (the session or MFA challenge, with the clearing of the identifier's failures).

import { hashPassword, verifyDummyPassword, verifyPassword } from "../crypto/password-hash";
import { fail, type Result, succeed } from "../errors";
import { replacePasswordHash } from "../storage/user-store";
import { admitSubject } from "./abuse-limits";
import type { ClientInfo, ServiceContext } from "./context";
import { admitLogin, canonicalLoginIdentifier, clearingLoginFailures, clearLoginFailures } from "./login-throttle";
import { finishFirstFactor, type LoginOutcome } from "./mfa-service";
import { isDisabled } from "./model";

export type LoginInput = { password: string } & ({ email: string } | { username: string });

export interface LoginOptions {
  /** Overrides EMAIL_VERIFICATION for this login (a surface whose accounts never verify: "optional"). */
  verification?: "required" | "optional";
}

export async function logIn(
  context: ServiceContext,
  input: LoginInput,
  client: ClientInfo,
  options: LoginOptions = {},
): Promise<Result<LoginOutcome>> {
  // Before any hashing: a locked identifier (known or not) costs no scrypt. The admission reads the
  // account too, but a refused attempt never looks at it.
  const limited = await admitSubject(context, "log_in", { identifier: canonicalLoginIdentifier(input) });
  if (!limited.ok) return limited;
  const admission = await admitLogin(context, input);
  if (!admission.admitted) return fail("invalid_credentials", { reason: "identifier locked after failures" });
  const { user } = admission;
  const policy = context.config.passwordScrypt;
  if (!user?.passwordHash) {
    await verifyDummyPassword(input.password, policy);
    return fail("invalid_credentials", { reason: user ? "account has no password" : "unknown account" });
  }
  const verification = await verifyPassword(input.password, user.passwordHash, policy);
  if (!verification.valid) return fail("invalid_credentials", { reason: "wrong password" });
  if (isDisabled(user)) return fail("invalid_credentials", { reason: "account disabled" });
  // From here the password is right and its identifier's failures are forgotten on every path.
  // Only after a correct password, so this answer reveals nothing to someone guessing.
  if ((options.verification ?? context.config.emailVerification) === "required" && !user.emailVerified) {
    await clearLoginFailures(context, admission.failureKey);
    return fail("email_not_verified", { reason: "login before verifying the address" });
  }

  if (verification.needsRehash) {
    // Rare (once per account after the policy rises). The failures are forgotten before the second
    // hash, not after it, so failures counted while it runs stay counted as they always have.
    await clearLoginFailures(context, admission.failureKey);
    // Compare-and-swap: a concurrent password change wins over this upgrade.
    const upgraded = await hashPassword(input.password, policy);
    await replacePasswordHash(context.db, user.id, user.passwordHash, upgraded, context.now());
  }
  // An account with a second factor gets an MFA challenge here, and no session until it is met.
  // Either is written in one batch with the clearing of the failures: one round trip, all or nothing.
  const alongside = verification.needsRehash ? [] : [clearingLoginFailures(context, admission.failureKey)];
  return succeed(
    await finishFirstFactor(context, user, client, ["pwd"], {
      hasConfirmedTotp: admission.hasConfirmedTotp,
      alongside,
    }),
  );
}
