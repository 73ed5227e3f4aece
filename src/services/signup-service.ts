// Sign-up. With verification optional it opens a session at once; with verification required (the
// default) it answers a code request and no session, and a registered address gets the same answer
// while its owner is mailed instead, so sign-up does not reveal which addresses have accounts. A
// surface whose clients cannot verify (a dialect whose origin never did) asks for a session at once.

import { hashPassword } from "../crypto/password-hash";
import { fail, type Result, succeed } from "../errors";
import type { UserRow } from "../storage/schema";
import { replacePendingRegistration } from "../storage/unproven-account-store";
import { findUserByEmail, insertingUser, insertUserWithCode, type ProfileChanges } from "../storage/user-store";
import type { ClientInfo, ServiceContext } from "./context";
import { mailVerificationCode, prepareVerificationCode } from "./email-verification-service";
import { isDisabled, toUser, type User } from "./model";
import type { IssuedCode } from "./one-time-codes";
import { checkPasswordPolicy } from "./password-policy";
import { admitRegistration, newUserRow, noticeRegisteredAddress, refuseDuplicate } from "./registration";
import { openSession } from "./session-opening";
import { denySessionTokens } from "./session-service";
import type { IssuedTokens } from "./token-issuer";

export interface SignUpInput {
  email: string;
  password: string;
  profile: ProfileChanges;
}

export type SignUpSession = { kind: "session"; user: User; tokens: IssuedTokens };
export type SignUpOutcome = SignUpSession | { kind: "verification_required"; requestId: string };

export interface SignUpOptions {
  /** Overrides EMAIL_VERIFICATION for this sign-up: "optional" opens the session now. */
  verification?: "required" | "optional";
  /**
   * With verification required: a verified address answers email_taken instead of a code request
   * (for a surface whose document promises that answer, e.g. BioEntrust's 409). Default false.
   */
  revealTakenAddress?: boolean;
}

export function signUp(
  context: ServiceContext,
  input: SignUpInput,
  client: ClientInfo,
  options: { verification: "optional" },
): Promise<Result<SignUpSession>>;
export function signUp(
  context: ServiceContext,
  input: SignUpInput,
  client: ClientInfo,
  options?: SignUpOptions,
): Promise<Result<SignUpOutcome>>;
export async function signUp(
  context: ServiceContext,
  input: SignUpInput,
  client: ClientInfo,
  options: SignUpOptions = {},
): Promise<Result<SignUpOutcome>> {
  const prepared = await newPasswordAccount(context, input);
  if (!prepared.ok) return prepared;
  const user = prepared.value;
  const verification = options.verification ?? context.config.emailVerification;
  return verification === "optional"
    ? signUpWithSession(context, user, client)
    : signUpPendingVerification(context, user, options.revealTakenAddress === true);
}

/** The gates, the checks and the password's hash: the new account's row, not yet stored. */
export async function newPasswordAccount(context: ServiceContext, input: SignUpInput): Promise<Result<UserRow>> {
  const admitted = await admitRegistration(context, { email: input.email, profile: input.profile });
  if (!admitted.ok) return admitted;
  const weakness = checkPasswordPolicy(input.password, context.config);
  if (weakness) return fail("weak_password", { issues: [weakness] });
  const passwordHash = await hashPassword(input.password, context.config.passwordScrypt);
  return succeed(newUserRow(context, { ...admitted.value, passwordHash, profile: input.profile }));
}

/**
 * Sign-up for a surface whose client asks for the verification mail itself, next (NAP's
 * verify-email/send): the account is stored unverified, with no code and no mail, and signs in once
 * its address is verified. A registered address answers email_taken, verified or not: a pending
 * registration is not replaced here, since no new code would void the earlier one's link.
 */
export async function signUpUnverified(context: ServiceContext, input: SignUpInput): Promise<Result<User>> {
  const prepared = await newPasswordAccount(context, input);
  if (!prepared.ok) return prepared;
  try {
    await context.db.batch([insertingUser(context.db, prepared.value)]);
  } catch (error) {
    return refuseDuplicate(error);
  }
  return succeed(toUser(prepared.value));
}

async function signUpWithSession(
  context: ServiceContext,
  user: UserRow,
  client: ClientInfo,
): Promise<Result<SignUpOutcome>> {
  try {
    // The user and their first session in one batch: a refused address stores neither.
    const tokens = await openSession(context, user, client, ["pwd"], { before: [insertingUser(context.db, user)] });
    return succeed({ kind: "session", user: toUser(user), tokens });
  } catch (error) {
    return refuseDuplicate(error);
  }
}

async function signUpPendingVerification(
  context: ServiceContext,
  user: UserRow,
  revealTakenAddress = false,
): Promise<Result<SignUpOutcome>> {
  // The user and their first code in one batch: one D1 round trip, and a refused address stores neither.
  const verification = await prepareVerificationCode(context, user);
  try {
    await insertUserWithCode(context.db, user, verification.row);
  } catch (error) {
    const refused = refuseDuplicate(error);
    if (refused.ok || refused.error.code !== "email_taken") return refused;
    // Where some surface signs unverified accounts in (config.unverifiedSignIn), a never-verified
    // account may be in use: replacing it would hand it, its sessions ended, to whoever came last.
    const replaced = context.config.unverifiedSignIn ? undefined : await replaceUnverifiedRegistration(context, user);
    if (replaced) return replaced;
    if (revealTakenAddress) return refused;
    // Same answer as a new sign-up; the address's owner learns someone tried.
    const noticed = await noticeRegisteredAddress(context, user.email);
    return noticed.ok ? succeed({ kind: "verification_required", requestId: noticed.value.requestId }) : noticed;
  }
  // The account is kept even when mail fails; the code can be resent once the provider is back.
  return mailedVerification(context, user.email, verification.issued);
}

async function mailedVerification(context: ServiceContext, email: string, issued: IssuedCode) {
  const sent = await mailVerificationCode(context, email, issued);
  return sent.ok ? succeed<SignUpOutcome>({ kind: "verification_required", requestId: sent.value.requestId }) : sent;
}

/**
 * A sign-up for an address whose account was never verified replaces that pending registration:
 * whoever signed up before (perhaps a squatter who typed someone else's address) keeps nothing, and
 * the code mailed now confirms this sign-up's password. Undefined when the address is verified.
 */
async function replaceUnverifiedRegistration(
  context: ServiceContext,
  user: UserRow,
): Promise<Result<SignUpOutcome> | undefined> {
  const existing = await findUserByEmail(context.db, user.email);
  if (!existing || existing.emailVerified || isDisabled(existing) || !user.passwordHash) return undefined;
  const { passwordHash, username, name, firstName, lastName, phone, address } = user;
  const registration = { passwordHash, username, name, firstName, lastName, phone, address };
  const verification = await prepareVerificationCode(context, existing);
  let replaced: Awaited<ReturnType<typeof replacePendingRegistration>>;
  try {
    replaced = await replacePendingRegistration(context.db, existing.id, registration, verification.row);
  } catch (error) {
    return refuseDuplicate(error);
  }
  if (!replaced) return undefined;
  await denySessionTokens(context, [...replaced.revokedSessionIds, ...replaced.revokedKeyIds]);
  return mailedVerification(context, existing.email, verification.issued);
}
