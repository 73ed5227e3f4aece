// The signed-in user's own account: read, change profile fields, delete.

import { fail, type Result, succeed } from "../errors";
import { uniqueViolation } from "../storage/database";
import type { UserRow } from "../storage/schema";
import { deleteUser, findUserById, type ProfileChanges, updateUserProfile } from "../storage/user-store";
import type { ClientInfo, ServiceContext } from "./context";
import { normalizeUsername } from "./identifiers";
import { refusedPhoneChange } from "./phone-service";
import { recheckPassword } from "./reauthentication";
import { denySessionTokens } from "./session-service";

/** The user as clients see it: never the password hash. */
export interface PublicUser {
  id: string;
  email: string;
  email_verified: boolean;
  username: string | null;
  name: string | null;
  first_name: string | null;
  last_name: string | null;
  phone: string | null;
  /** True once the number came back with its SMS code (POST /v1/phone/verify). */
  phone_verified: boolean;
  address: string | null;
  created_at: string;
  updated_at: string;
}

export function toPublicUser(user: UserRow): PublicUser {
  return {
    id: user.id,
    email: user.email,
    email_verified: user.emailVerified,
    username: user.username,
    name: user.name,
    first_name: user.firstName,
    last_name: user.lastName,
    phone: user.phone,
    phone_verified: user.phoneVerified,
    address: user.address,
    created_at: new Date(user.createdAt * 1000).toISOString(),
    updated_at: new Date(user.updatedAt * 1000).toISOString(),
  };
}

export async function getUser(context: ServiceContext, userId: string): Promise<Result<UserRow>> {
  const user = await findUserById(context.db, userId);
  return user ? succeed(user) : fail("user_not_found");
}

export async function updateProfile(
  context: ServiceContext,
  userId: string,
  changes: ProfileChanges,
): Promise<Result<UserRow>> {
  const normalized: ProfileChanges = { ...changes };
  if (typeof changes.username === "string") {
    const username = normalizeUsername(changes.username);
    if (!username)
      return fail("invalid_request", { issues: [{ field: "username", message: "is not a valid username" }] });
    normalized.username = username;
  }
  try {
    const user = await updateUserProfile(context.db, userId, normalized, context.now());
    // Nothing was written: the user is gone, or the number would move while SMS sign-in holds it.
    return user ? succeed(user) : refusedPhoneChange(context, userId);
  } catch (error) {
    if (uniqueViolation(error) === "users.username") return fail("username_taken");
    throw error;
  }
}

/** Needs the current password; removes the user and every session, and denies their access tokens. */
export async function deleteAccount(
  context: ServiceContext,
  client: ClientInfo,
  user: UserRow,
  password: string,
): Promise<Result<void>> {
  const rechecked = await recheckPassword(context, client, user, password, "account deletion");
  if (!rechecked.ok) return rechecked;
  const sessionIds = await deleteUser(context.db, user.id);
  if (sessionIds === null) return fail("user_not_found");
  await denySessionTokens(context, sessionIds);
  return succeed(undefined);
}
