// Sign-up and password login. Unknown account, wrong password and disabled account are one answer,
// reached through the same scrypt work, so neither the response nor its timing tells them apart.

import { hashPassword, verifyDummyPassword, verifyPassword } from "../crypto/password-hash";
import { generateId } from "../crypto/random";
import { type FieldIssue, fail, type Result, succeed } from "../errors";
import { uniqueViolation } from "../storage/database";
import type { UserRow } from "../storage/schema";
import { insertSession } from "../storage/session-store";
import {
  findUserByEmail,
  findUserByUsername,
  insertUserWithSession,
  type ProfileChanges,
  replacePasswordHash,
} from "../storage/user-store";
import type { ClientInfo, ServiceContext } from "./context";
import { normalizeEmail, normalizeUsername } from "./identifiers";
import { checkPasswordPolicy } from "./password-policy";
import { buildNewSession, type IssuedTokens, issueTokens } from "./token-issuer";

export interface SignUpInput {
  email: string;
  password: string;
  profile: ProfileChanges;
}

export type LoginInput = { password: string } & ({ email: string } | { username: string });

export async function signUp(
  context: ServiceContext,
  input: SignUpInput,
  client: ClientInfo,
): Promise<Result<{ user: UserRow; tokens: IssuedTokens }>> {
  const email = normalizeEmail(input.email);
  const issues: FieldIssue[] = [];
  if (!email) issues.push({ field: "email", message: "is not a valid email address" });
  const username = input.profile.username == null ? null : normalizeUsername(input.profile.username);
  if (input.profile.username != null && !username)
    issues.push({ field: "username", message: "is not a valid username" });
  const weakness = checkPasswordPolicy(input.password, context.config);
  if (issues.length > 0 || !email) return fail("invalid_request", { issues });
  if (weakness) return fail("weak_password", { issues: [weakness] });

  const now = context.now();
  const user: UserRow = {
    id: generateId(),
    email,
    emailVerified: false,
    username,
    passwordHash: await hashPassword(input.password, context.config.passwordScrypt),
    name: input.profile.name ?? null,
    firstName: input.profile.firstName ?? null,
    lastName: input.profile.lastName ?? null,
    phone: input.profile.phone ?? null,
    address: input.profile.address ?? null,
    disabledAt: null,
    createdAt: now,
    updatedAt: now,
  };
  const records = await buildNewSession(context, user.id, client, ["pwd"]);
  try {
    await insertUserWithSession(context.db, user, records.session, records.tokenRow);
  } catch (error) {
    const violated = uniqueViolation(error);
    if (violated === "users.email") return fail("email_taken", { reason: "sign-up with a registered email" });
    if (violated === "users.username") return fail("username_taken", { reason: "sign-up with a taken username" });
    throw error;
  }
  const tokens = await issueTokens(
    context,
    user,
    { id: records.session.id, amr: records.session.amr ?? "[]" },
    records.refreshToken,
  );
  return succeed({ user, tokens });
}

export async function logIn(
  context: ServiceContext,
  input: LoginInput,
  client: ClientInfo,
): Promise<Result<{ user: UserRow; tokens: IssuedTokens }>> {
  const user = await findLoginUser(context, input);
  const policy = context.config.passwordScrypt;
  if (!user?.passwordHash) {
    await verifyDummyPassword(input.password, policy);
    return fail("invalid_credentials", { reason: user ? "account has no password" : "unknown account" });
  }
  const verification = await verifyPassword(input.password, user.passwordHash, policy);
  if (!verification.valid) return fail("invalid_credentials", { reason: "wrong password" });
  if (user.disabledAt !== null) return fail("invalid_credentials", { reason: "account disabled" });

  if (verification.needsRehash) {
    // Compare-and-swap: a concurrent password change wins over this upgrade.
    const upgraded = await hashPassword(input.password, policy);
    await replacePasswordHash(context.db, user.id, user.passwordHash, upgraded, context.now());
  }
  const records = await buildNewSession(context, user.id, client, ["pwd"]);
  await insertSession(context.db, records.session, records.tokenRow);
  const tokens = await issueTokens(
    context,
    user,
    { id: records.session.id, amr: records.session.amr ?? "[]" },
    records.refreshToken,
  );
  return succeed({ user, tokens });
}

async function findLoginUser(context: ServiceContext, input: LoginInput): Promise<UserRow | undefined> {
  if ("email" in input) {
    const email = normalizeEmail(input.email);
    return email ? findUserByEmail(context.db, email) : undefined;
  }
  const username = normalizeUsername(input.username);
  return username ? findUserByUsername(context.db, username) : undefined;
}
