// The domain's own types: what services hand to every surface (the native routes, RPC, dialects).
// They are not the drizzle rows: no password hash leaves the services, times are Unix seconds, and
// each surface renders them in its own shape (the native snake_case user is in src/routes/views.ts).

import type { SessionRow, UserRow } from "../storage/schema";
import { parseStringList } from "./json-list";

export interface User {
  id: string;
  /** Normalized (NFKC, lower case); mail goes here. */
  email: string;
  emailVerified: boolean;
  username: string | null;
  name: string | null;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  phoneVerified: boolean;
  smsMfaEnabled: boolean;
  address: string | null;
  /** False for an account registered without one (it sets one through an emailed code). */
  hasPassword: boolean;
  disabled: boolean;
  createdAt: number;
  updatedAt: number;
  /** The old server's id of an imported account (as text; an integer one in decimal), else null. */
  legacyId: string | null;
}

export interface Session {
  /** The `sid` claim of its access tokens. */
  id: string;
  userId: string;
  /** False when its refresh token stays the same for its life (see ClientInfo.rotatesRefreshToken). */
  rotatesRefreshToken: boolean;
  /** RFC 8176 method references, as in each access token's `amr`. */
  amr: string[];
  userAgent: string | null;
  ip: string | null;
  createdAt: number;
  lastUsedAt: number;
  expiresAt: number;
}

/** The one test of "disabled": an operator set `disabled_at` (over RPC). */
export const isDisabled = (user: Pick<UserRow, "disabledAt">): boolean => user.disabledAt !== null;

export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    emailVerified: row.emailVerified,
    username: row.username,
    name: row.name,
    firstName: row.firstName,
    lastName: row.lastName,
    phone: row.phone,
    phoneVerified: row.phoneVerified,
    smsMfaEnabled: row.smsMfaEnabled,
    address: row.address,
    hasPassword: row.passwordHash !== null,
    disabled: isDisabled(row),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    legacyId: row.legacyId,
  };
}

/**
 * The id a dialect's document shows for a user: the old server's id of an imported account (so a
 * client that stored ids keeps working), as a JSON number when it is an integer, else ours.
 */
export function shownUserId(user: Pick<User, "id" | "legacyId">): string | number {
  if (user.legacyId === null) return user.id;
  const asNumber = Number(user.legacyId);
  return /^-?[1-9]\d*$|^0$/.test(user.legacyId) && Number.isSafeInteger(asNumber) ? asNumber : user.legacyId;
}

export function toSession(row: SessionRow): Session {
  return {
    id: row.id,
    userId: row.userId,
    rotatesRefreshToken: row.rotatesRefreshToken,
    amr: parseStringList(row.amr),
    userAgent: row.userAgent,
    ip: row.ip,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    expiresAt: row.expiresAt,
  };
}

/** A way into an account besides its password: an external provider's stable subject. */
export interface Identity {
  id: string;
  userId: string;
  /** "google", "github", "apple", "microsoft", or a configured OIDC provider's name. */
  provider: string;
  subject: string;
  email: string | null;
  emailVerified: boolean;
  createdAt: number;
  lastUsedAt: number | null;
}
