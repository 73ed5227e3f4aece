// The user export (GET /v1/admin/users/export, `npm run export`): every user, oldest first, one page
// at a time, each with profile, verification flags, identities, factor metadata and the stored
// password hash (our PHC, or an imported hash not yet upgraded by a login), so a team can leave as
// easily as it arrived (docs/import-export contract). Never a TOTP secret, a recovery code, a session
// or a token: those are not even read. Each page read is one `admin_action` security event.

import { type FieldIssue, fail, type Result, succeed } from "../errors";
import { readExportPage } from "../storage/user-export-store";
import type { AdminActor } from "./admin-actions";
import { decodeCursor, encodeCursor } from "./admin-cursor";
import type { RequestScope, ServiceContext } from "./context";
import { isDisabled } from "./model";
import { recordSecurityEvent } from "./security-events";

export const MAX_EXPORT_PAGE_SIZE = 1000;
export const DEFAULT_EXPORT_PAGE_SIZE = 1000;

export interface ExportQuery {
  cursor?: string;
  limit?: number;
}

export interface ExportedUser {
  id: string;
  email: string;
  emailVerified: boolean;
  username: string | null;
  name: string | null;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  phoneVerified: boolean;
  /** The stored PHC string or imported hash; null for a passwordless account. */
  passwordHash: string | null;
  /** The old server's user id, kept by the import (null for users that signed up here). */
  legacyId: string | null;
  disabled: boolean;
  createdAt: number;
  updatedAt: number;
  identities: { provider: string; subject: string; email: string | null }[];
  factors: { totp: boolean; sms: boolean; recoveryCodes: number };
}

export interface ExportPage {
  users: ExportedUser[];
  /** The next page's cursor; null on the last page. */
  nextCursor: string | null;
}

export async function exportUsers(
  context: ServiceContext,
  actor: AdminActor,
  query: ExportQuery,
  scope: RequestScope,
): Promise<Result<ExportPage>> {
  const issues: FieldIssue[] = [];
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  if (after === null) issues.push({ field: "cursor", message: "is not a cursor this export answered" });
  const limit = query.limit ?? DEFAULT_EXPORT_PAGE_SIZE;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_EXPORT_PAGE_SIZE) {
    issues.push({ field: "limit", message: `must be a whole number from 1 to ${MAX_EXPORT_PAGE_SIZE}` });
  }
  if (issues.length > 0) return fail("invalid_request", { issues });

  // One more than the page, to know whether another page follows.
  const rows = await readExportPage(context.db, after ?? undefined, limit + 1);
  const page = rows.users.slice(0, limit);
  const last = page.at(-1);
  const nextCursor =
    rows.users.length > limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null;
  const identitiesOf = new Map<string, ExportedUser["identities"]>();
  for (const identity of rows.identities) {
    const list = identitiesOf.get(identity.userId) ?? [];
    list.push({ provider: identity.provider, subject: identity.subject, email: identity.email });
    identitiesOf.set(identity.userId, list);
  }
  const users = page.map(
    (row): ExportedUser => ({
      id: row.id,
      email: row.email,
      emailVerified: row.emailVerified,
      username: row.username,
      name: row.name,
      firstName: row.firstName,
      lastName: row.lastName,
      phone: row.phone,
      phoneVerified: row.phoneVerified,
      passwordHash: row.passwordHash,
      legacyId: row.legacyId,
      disabled: isDisabled(row),
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
      identities: identitiesOf.get(row.id) ?? [],
      factors: {
        totp: rows.totpUserIds.has(row.id),
        sms: row.smsMfaEnabled,
        recoveryCodes: rows.unusedRecoveryCodes.get(row.id) ?? 0,
      },
    }),
  );
  recordSecurityEvent(context, scope, {
    type: "admin_action",
    subjectUserId: null,
    actorUserId: actor.userId,
    actorKeyId: actor.keyId,
    detail: { action: "export_users", via: actor.via, rows: users.length, first_page: after === undefined },
  });
  return succeed({ users, nextCursor });
}
