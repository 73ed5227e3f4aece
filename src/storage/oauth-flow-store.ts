// Social-login redirect flows and the one-time sign-in codes they end with. Each is single use, and
// its one use is decided by one UPDATE … RETURNING (never a read, then a write).

import { and, eq, gt, isNull, sql } from "drizzle-orm";
import type { Database, PendingWrite } from "./database";
import { activeOrganizationCountOfUser } from "./org-store";
import {
  type OAuthFlowRow,
  type OAuthSignInCodeRow,
  oauthFlows,
  oauthSignInCodes,
  type UserRow,
  users,
} from "./schema";
import { confirmedTotpOfUser } from "./totp-store";

export type NewOAuthFlow = typeof oauthFlows.$inferInsert;
export type NewOAuthSignInCode = typeof oauthSignInCodes.$inferInsert;

export async function insertOAuthFlow(db: Database, flow: NewOAuthFlow): Promise<void> {
  await db.insert(oauthFlows).values(flow);
}

/**
 * Consumes the live flow `stateHash` names for `provider`, only when the browser presents the
 * cookie it was bound to: another browser's callback consumes nothing. Undefined otherwise.
 */
export async function consumeOAuthFlow(
  db: Database,
  key: { stateHash: string; browserHash: string; provider: string; now: number },
): Promise<OAuthFlowRow | undefined> {
  const [row] = await db
    .update(oauthFlows)
    .set({ consumedAt: key.now })
    .where(
      and(
        eq(oauthFlows.stateHash, key.stateHash),
        eq(oauthFlows.browserHash, key.browserHash),
        eq(oauthFlows.provider, key.provider),
        isNull(oauthFlows.consumedAt),
        gt(oauthFlows.expiresAt, key.now),
      ),
    )
    .returning();
  return row;
}

/** Stores a sign-in code, with `alongside` (an identity's last-seen update) in the same batch. */
export async function insertOAuthSignInCode(
  db: Database,
  code: NewOAuthSignInCode,
  alongside: PendingWrite[] = [],
): Promise<void> {
  await db.batch([db.insert(oauthSignInCodes).values(code), ...alongside]);
}

export interface RedeemedSignInCode {
  code: OAuthSignInCodeRow;
  /** The code's user as stored now, with what the sign-in's end depends on; undefined when gone. */
  user: UserRow | undefined;
  hasConfirmedTotp: boolean;
  activeOrganizations: number;
}

/**
 * Consumes the live sign-in code `codeHash` names and reads its user, their TOTP state and how many
 * organizations they count in, in one round trip (a batch: the read runs after the consume, and
 * counts only when the consume answered a row). Undefined when the code is unknown, used or expired;
 * whatever the exchange then decides, a code answered here is spent.
 */
export async function redeemOAuthSignInCode(
  db: Database,
  codeHash: string,
  now: number,
): Promise<RedeemedSignInCode | undefined> {
  const codeUser = db
    .select({ userId: oauthSignInCodes.userId })
    .from(oauthSignInCodes)
    .where(eq(oauthSignInCodes.codeHash, codeHash));
  const [consumed, read] = await db.batch([
    db
      .update(oauthSignInCodes)
      .set({ consumedAt: now })
      .where(
        and(
          eq(oauthSignInCodes.codeHash, codeHash),
          isNull(oauthSignInCodes.consumedAt),
          gt(oauthSignInCodes.expiresAt, now),
        ),
      )
      .returning(),
    db
      .select({
        user: users,
        hasConfirmedTotp: confirmedTotpOfUser(db),
        activeOrganizations: activeOrganizationCountOfUser(db).as("active_organizations"),
      })
      .from(users)
      .where(eq(users.id, sql`(${codeUser})`)),
  ]);
  const [code] = consumed;
  if (!code) return undefined;
  const [found] = read;
  return {
    code,
    user: found?.user,
    hasConfirmedTotp: found?.hasConfirmedTotp ?? false,
    activeOrganizations: found?.activeOrganizations ?? 0,
  };
}
