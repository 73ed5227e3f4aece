// The signed-in user's own account: read, change profile fields, delete. Results are domain Users;
// each surface renders them (the native shape is src/routes/views.ts).

import { fail, type Result, succeed } from "../errors";
import { uniqueViolation } from "../storage/database";
import { deleteUser, findUserById, type ProfileChanges, updateUserProfile } from "../storage/user-store";
import type { ClientInfo, ServiceContext } from "./context";
import { normalizeUsername } from "./identifiers";
import { toUser, type User } from "./model";
import { refusedPhoneChange } from "./phone-service";
import type { Principal } from "./principal";
import { reauthenticate } from "./reauthentication";
import { denySessionTokens } from "./session-service";

export async function getUser(context: ServiceContext, userId: string): Promise<Result<User>> {
  const user = await findUserById(context.db, userId);
  return user ? succeed(toUser(user)) : fail("user_not_found");
}

export async function updateProfile(
  context: ServiceContext,
  { user: { id: userId } }: Principal,
  changes: ProfileChanges,
): Promise<Result<User>> {
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
    return user ? succeed(toUser(user)) : refusedPhoneChange(context, userId);
  } catch (error) {
    if (uniqueViolation(error) === "users.username") return fail("username_taken");
    throw error;
  }
}

/**
 * Needs the current password (or, for an account without one, a recent sign-in); removes the user and
 * every session, and denies their access tokens.
 */
export async function deleteAccount(
  context: ServiceContext,
  client: ClientInfo,
  principal: Principal,
  password: string | undefined,
): Promise<Result<void>> {
  const { user } = principal;
  const rechecked = await reauthenticate(context, client, principal, password, "account deletion");
  if (!rechecked.ok) return rechecked;
  const sessionIds = await deleteUser(context.db, user.id);
  if (sessionIds === null) return fail("user_not_found");
  await denySessionTokens(context, sessionIds);
  return succeed(undefined);
}
