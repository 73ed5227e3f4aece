// Opening a session: the session row and its first refresh token in one batch (with the caller's
// own writes before or beside them), then the token pair. Sign-up, login, email verification and
// the MFA step all open sessions here, so a session has one shape however it began.

import type { PendingWrite } from "../storage/database";
import type { UserRow } from "../storage/schema";
import { insertSession } from "../storage/session-store";
import type { ClientInfo, ServiceContext } from "./context";
import { buildNewSession, type IssuedTokens, issueTokens } from "./token-issuer";

export interface SessionWrites {
  /** Written first in the same batch (a new user's own row, which the session references). */
  before?: PendingWrite[];
  /** Written after the session in the same batch (e.g. clearing a login's failure count). */
  alongside?: PendingWrite[];
  /** The organization the session starts scoped to (chosen in a sign-in flow); its claims are re-read at issue. */
  organizationId?: string | null;
}

export async function openSession(
  context: ServiceContext,
  user: UserRow,
  client: ClientInfo,
  amr: string[],
  writes: SessionWrites = {},
): Promise<IssuedTokens> {
  const records = await buildNewSession(context, user.id, client, amr);
  const activeOrganizationId = writes.organizationId ?? null;
  if (activeOrganizationId) records.session.activeOrganizationId = activeOrganizationId;
  await insertSession(context.db, records.session, records.tokenRow, writes);
  return issueTokens(
    context,
    user,
    {
      id: records.session.id,
      amr: records.session.amr ?? "[]",
      expiresAt: records.session.expiresAt,
      activeOrganizationId,
    },
    records.refreshToken,
  );
}
