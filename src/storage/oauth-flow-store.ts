// Social-login redirect flows and the one-time sign-in codes they end with. Each is single use, and
// its one use is decided by one UPDATE … RETURNING (never a read, then a write).

import { and, eq, gt, isNull } from "drizzle-orm";
import type { Database, PendingWrite } from "./database";
import { type OAuthFlowRow, type OAuthSignInCodeRow, oauthFlows, oauthSignInCodes } from "./schema";

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

/** Consumes a live sign-in code; whatever the exchange then decides, the code is spent. */
export async function consumeOAuthSignInCode(
  db: Database,
  codeHash: string,
  now: number,
): Promise<OAuthSignInCodeRow | undefined> {
  const [row] = await db
    .update(oauthSignInCodes)
    .set({ consumedAt: now })
    .where(
      and(
        eq(oauthSignInCodes.codeHash, codeHash),
        isNull(oauthSignInCodes.consumedAt),
        gt(oauthSignInCodes.expiresAt, now),
      ),
    )
    .returning();
  return row;
}
