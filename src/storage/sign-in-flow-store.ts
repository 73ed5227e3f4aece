// Sign-in flows in D1: a login past its first factor with an organization still to choose. Reading a
// flow counts nothing; finishing it is one UPDATE … RETURNING that also checks the chosen membership,
// so a flow is consumed at most once, however parallel, and only for an organization that counts.

import { and, eq, gt, isNull, sql } from "drizzle-orm";
import type { Database, PendingWrite } from "./database";
import { type SignInFlowRow, signInFlows } from "./schema";

export type NewSignInFlow = typeof signInFlows.$inferInsert;

/** The flow, with `alongside` (a login's own writes), in one atomic batch. */
export async function insertSignInFlow(
  db: Database,
  flow: NewSignInFlow,
  alongside: PendingWrite[] = [],
): Promise<void> {
  await db.batch([db.insert(signInFlows).values(flow), ...alongside]);
}

const open = (now: number) => and(isNull(signInFlows.consumedAt), gt(signInFlows.expiresAt, now));

/** The open flow a token names, without changing anything. */
export async function findOpenSignInFlow(
  db: Database,
  tokenHash: string,
  now: number,
): Promise<SignInFlowRow | undefined> {
  return db
    .select()
    .from(signInFlows)
    .where(and(eq(signInFlows.tokenHash, tokenHash), open(now)))
    .get();
}

/**
 * Consumes the open flow with the organization chosen, when the flow's user is an active member of
 * that live organization; undefined when the flow is used, expired or unknown, or the choice does
 * not count (the caller tells these apart by reading the flow again).
 */
export async function consumeSignInFlow(
  db: Database,
  choice: { tokenHash: string; organizationId: string; now: number },
): Promise<SignInFlowRow | undefined> {
  const member = sql`exists (select 1 from memberships m inner join organizations o on o.id = m.organization_id where m.organization_id = ${choice.organizationId} and m.user_id = ${signInFlows.userId} and m.status = 'active' and o.deleted_at is null)`;
  return db
    .update(signInFlows)
    .set({ consumedAt: choice.now, organizationId: choice.organizationId })
    .where(and(eq(signInFlows.tokenHash, choice.tokenHash), open(choice.now), member))
    .returning()
    .get();
}
