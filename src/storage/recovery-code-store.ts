// Recovery codes in D1, stored only as keyed hashes. Replacing a user's set is one batch (the old
// codes die with it); consuming one is one UPDATE … RETURNING, so each works once.

import { and, eq, isNull } from "drizzle-orm";
import type { Database } from "./database";
import { recoveryCodes } from "./schema";

export async function replaceRecoveryCodes(
  db: Database,
  set: { userId: string; codes: { id: string; codeHash: string }[]; now: number },
): Promise<void> {
  const rows = set.codes.map((code) => ({ ...code, userId: set.userId, createdAt: set.now }));
  await db.batch([
    db.delete(recoveryCodes).where(eq(recoveryCodes.userId, set.userId)),
    db.insert(recoveryCodes).values(rows),
  ]);
}

/** Marks the code used; false when it is unknown, another user's, or already used. */
export async function consumeRecoveryCode(
  db: Database,
  code: { userId: string; codeHash: string; now: number },
): Promise<boolean> {
  const row = await db
    .update(recoveryCodes)
    .set({ usedAt: code.now })
    .where(
      and(
        eq(recoveryCodes.codeHash, code.codeHash),
        eq(recoveryCodes.userId, code.userId),
        isNull(recoveryCodes.usedAt),
      ),
    )
    .returning({ id: recoveryCodes.id })
    .get();
  return row !== undefined;
}
