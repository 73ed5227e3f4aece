// The admin API's reads: search and list users (by email, id and creation time, newest first, paged by
// an opaque cursor) and one user with their live sessions, identities, second factors and usable API
// keys. Metadata only: no password hash, TOTP secret, code hash or key hash ever leaves this module.

import { type FieldIssue, fail, type Result, succeed } from "../errors";
import { findUserDetail, searchUsers } from "../storage/admin-user-store";
import { decodeCursor, encodeCursor } from "./admin-cursor";
import { type ApiKey, toApiKey } from "./api-key-model";
import { type ServiceContext, sessionWindow } from "./context";
import { normalizeEmail } from "./identifiers";
import { type Identity, type Session, toSession, toUser, type User } from "./model";

export const MAX_USER_PAGE_SIZE = 100;
export const DEFAULT_USER_PAGE_SIZE = 50;

export interface UserQuery {
  email?: string;
  id?: string;
  /** Unix seconds, exclusive. */
  createdAfter?: number;
  createdBefore?: number;
  cursor?: string;
  limit?: number;
}

export interface UserPage {
  users: User[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

export interface SecondFactors {
  totp: { confirmed: boolean; createdAt: number; confirmedAt: number | null; lockedUntil: number | null } | null;
  unusedRecoveryCodes: number;
  smsSignIn: boolean;
}

export interface UserDetail {
  user: User;
  sessions: Session[];
  identities: Identity[];
  factors: SecondFactors;
  apiKeys: ApiKey[];
}

const refuse = (issues: FieldIssue[]) => fail<never>("invalid_request", { issues });

export async function listUsers(context: ServiceContext, query: UserQuery): Promise<Result<UserPage>> {
  const issues: FieldIssue[] = [];
  const email = query.email === undefined ? undefined : normalizeEmail(query.email);
  if (email === null) issues.push({ field: "email", message: "is not a valid email address" });
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  if (after === null) issues.push({ field: "cursor", message: "is not a cursor this list answered" });
  const { createdAfter, createdBefore } = query;
  if (createdAfter !== undefined && createdBefore !== undefined && createdAfter >= createdBefore) {
    issues.push({ field: "created_before", message: "must be later than created_after" });
  }
  if (issues.length > 0) return refuse(issues);
  const limit = Math.min(Math.max(query.limit ?? DEFAULT_USER_PAGE_SIZE, 1), MAX_USER_PAGE_SIZE);
  const rows = await searchUsers(context.db, {
    ...(email ? { email } : {}),
    ...(query.id === undefined ? {} : { id: query.id }),
    ...(createdAfter === undefined ? {} : { createdAfter }),
    ...(createdBefore === undefined ? {} : { createdBefore }),
    ...(after ? { after } : {}),
    limit: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  const nextCursor = rows.length > limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null;
  return succeed({ users: page.map(toUser), nextCursor });
}

export async function getUserDetail(context: ServiceContext, userId: string): Promise<Result<UserDetail>> {
  const rows = await findUserDetail(context.db, userId, sessionWindow(context));
  if (!rows) return fail("user_not_found");
  const { totp } = rows;
  return succeed({
    user: toUser(rows.user),
    sessions: rows.sessions.map(toSession),
    identities: rows.identities.map((row) => ({
      id: row.id,
      userId: row.userId,
      provider: row.provider,
      subject: row.subject,
      email: row.email,
      emailVerified: row.emailVerified,
      createdAt: row.createdAt,
      lastUsedAt: row.lastUsedAt,
    })),
    factors: {
      totp: totp ? { confirmed: totp.confirmedAt !== null, ...totp } : null,
      unusedRecoveryCodes: rows.unusedRecoveryCodes,
      smsSignIn: rows.user.smsMfaEnabled,
    },
    apiKeys: rows.apiKeys.map(toApiKey),
  });
}
