// Password login. Unknown account, wrong password and disabled account are one answer,
// reached through the same scrypt work, so neither the response nor its timing tells them apart.
//
// Beyond the hash, D1 round trips are most of what a login costs, so the common path makes two: one
// batch before the hash (the lock's count, and the account with its TOTP state) and one after it
// (the session or MFA challenge, with the clearing of the identifier's failures).

import { hashPassword, verifyDummyPassword, verifyPassword } from "../crypto/password-hash";
import { fail, type Result, succeed } from "../errors";
import type { UserRow } from "../storage/schema";
import { replacePasswordHash } from "../storage/user-store";
import { admitSubject } from "./abuse-limits";
import type { ClientInfo, RequestScope, ServiceContext } from "./context";
import { admitLogin, canonicalLoginIdentifier, clearingLoginFailures, clearLoginFailures } from "./login-throttle";
import { type FirstFactorExtras, finishFirstFactor, type LoginOutcome } from "./mfa-service";
import { isDisabled } from "./model";
import {
  recordLockEngaged,
  recordSignInFailed,
  recordSignInSucceeded,
  type SignInFailureReason,
} from "./sign-in-events";
import type { IssuedTokens } from "./token-issuer";

export type LoginInput = { password: string } & ({ email: string } | { username: string });

export interface LoginOptions {
  /** Overrides EMAIL_VERIFICATION for this login (a surface whose accounts never verify: "optional"). */
  verification?: "required" | "optional";
}

/** What ends a login once the password passed: finishFirstFactor, or a caller's own (sign-in flows). */
export type FirstFactorFinish<T> = (
  context: ServiceContext,
  user: UserRow,
  client: ClientInfo,
  amr: string[],
  extras: FirstFactorExtras,
) => Promise<T>;

export function logIn(
  context: ServiceContext,
  input: LoginInput,
  client: ClientInfo,
  options: LoginOptions = {},
  scope?: RequestScope,
): Promise<Result<LoginOutcome>> {
  return logInThen(finishFirstFactor, context, input, client, options, scope);
}

/** logIn, ended by `finish` (sign-in-flow-service.ts answers a flow for several organizations). */
export async function logInThen<T extends { kind: string; tokens?: IssuedTokens }>(
  finish: FirstFactorFinish<T>,
  context: ServiceContext,
  input: LoginInput,
  client: ClientInfo,
  options: LoginOptions = {},
  scope?: RequestScope,
): Promise<Result<T>> {
  // Before any hashing: a locked identifier (known or not) costs no scrypt. The admission reads the
  // account too, but a refused attempt never looks at it.
  const limited = await admitSubject(context, "log_in", { identifier: canonicalLoginIdentifier(input) });
  if (!limited.ok) return limited;
  const admission = await admitLogin(context, input);
  if (!admission.admitted) {
    // A refused attempt learns nothing of the account, not even for the log: no subject (the
    // lock_engaged event is in the account's own log).
    recordSignInFailed(context, scope, null, "locked");
    return fail("invalid_credentials", { reason: "identifier locked after failures" });
  }
  const { user } = admission;
  // Every refusal below is a failed password check: it is recorded, and engages the lock if due.
  const refused = (reason: SignInFailureReason, text: string) => {
    recordSignInFailed(context, scope, user?.id ?? null, reason);
    if (admission.lockSecondsIfWrong > 0) {
      recordLockEngaged(context, scope, user?.id ?? null, { lockSeconds: admission.lockSecondsIfWrong, at: "login" });
    }
    return fail("invalid_credentials", { reason: text });
  };
  const policy = context.config.passwordScrypt;
  if (!user?.passwordHash) {
    await verifyDummyPassword(input.password, policy);
    return user ? refused("no_password", "account has no password") : refused("unknown_account", "unknown account");
  }
  // An imported hash verifies here too (Firebase's needs the project's parameters) and is upgraded below.
  const legacy = { firebaseScrypt: context.config.firebaseScrypt };
  const verification = await verifyPassword(input.password, user.passwordHash, policy, legacy);
  if (!verification.valid) return refused("wrong_password", "wrong password");
  if (isDisabled(user)) {
    recordSignInFailed(context, scope, user.id, "disabled");
    return fail("invalid_credentials", { reason: "account disabled" });
  }
  // From here the password is right and its identifier's failures are forgotten on every path.
  // Only after a correct password, so this answer reveals nothing to someone guessing.
  if ((options.verification ?? context.config.emailVerification) === "required" && !user.emailVerified) {
    await clearLoginFailures(context, admission.failureKey);
    recordSignInFailed(context, scope, user.id, "not_verified");
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
  const outcome = await finish(context, user, client, ["pwd"], {
    hasConfirmedTotp: admission.hasConfirmedTotp,
    alongside,
  });
  // With a second factor due, the sign-in succeeds (and is recorded) when the challenge is met.
  if (outcome.kind === "session" && outcome.tokens) recordSignInSucceeded(context, scope, user.id, outcome.tokens);
  return succeed(outcome);
}
