// What every way of opening an account shares: the limits, the checks of address and username, the
// new row, what a duplicate answers, and the notice a registered address gets instead of a code.

import { generateId } from "../crypto/random";
import { type FieldIssue, fail, type Result, succeed } from "../errors";
import { uniqueViolation } from "../storage/database";
import type { UserRow } from "../storage/schema";
import type { ProfileChanges } from "../storage/user-store";
import { admitSubject } from "./abuse-limits";
import type { ServiceContext } from "./context";
import { normalizeEmail, normalizeUsername } from "./identifiers";
import { canonicalLoginIdentifier } from "./login-throttle";
import { sendMailNow } from "./mail-delivery";

export interface RegistrationInput {
  email: string;
  profile: ProfileChanges;
}

/**
 * The gates (every registration may mail the address) and the checks; the normalized address and
 * username on success.
 */
export async function admitRegistration(
  context: ServiceContext,
  input: RegistrationInput,
): Promise<Result<{ email: string; username: string | null }>> {
  const limited = await admitSubject(context, "sign_up", {
    identifier: canonicalLoginIdentifier({ email: input.email }),
    email: input.email,
  });
  if (!limited.ok) return limited;
  const email = normalizeEmail(input.email);
  const issues: FieldIssue[] = [];
  if (!email) issues.push({ field: "email", message: "is not a valid email address" });
  const username = input.profile.username == null ? null : normalizeUsername(input.profile.username);
  if (input.profile.username != null && !username)
    issues.push({ field: "username", message: "is not a valid username" });
  if (issues.length > 0 || !email) return fail("invalid_request", { issues });
  return succeed({ email, username });
}

/** A new, unverified account row; `passwordHash` null for one registered without a password. */
export function newUserRow(
  context: ServiceContext,
  fields: { email: string; username: string | null; passwordHash: string | null; profile: ProfileChanges },
): UserRow {
  const now = context.now();
  const { profile } = fields;
  return {
    id: generateId(),
    email: fields.email,
    emailVerified: false,
    username: fields.username,
    passwordHash: fields.passwordHash,
    name: profile.name ?? null,
    firstName: profile.firstName ?? null,
    lastName: profile.lastName ?? null,
    phone: profile.phone ?? null,
    address: profile.address ?? null,
    phoneVerified: false,
    smsMfaEnabled: false,
    disabledAt: null,
    createdAt: now,
    updatedAt: now,
    legacyId: null,
    importDigest: null,
  };
}

/** A unique violation on insert, as the error a registration answers; anything else is rethrown. */
export function refuseDuplicate(error: unknown): Result<never> {
  const violated = uniqueViolation(error);
  if (violated === "users.email") return fail("email_taken", { reason: "registration with a registered email" });
  if (violated === "users.username") return fail("username_taken", { reason: "registration with a taken username" });
  throw error;
}

/**
 * A registered address answers like a new one (a request id that names nothing); its owner is mailed
 * that someone tried, so registration does not reveal which addresses have accounts.
 */
export async function noticeRegisteredAddress(
  context: ServiceContext,
  email: string,
): Promise<Result<{ requestId: string }>> {
  const sent = await sendMailNow(context, email, {
    kind: "account_exists",
    loginLink: context.config.issuer,
    resetLink: context.config.links.resetPassword,
  });
  return sent.ok ? succeed({ requestId: generateId() }) : sent;
}
