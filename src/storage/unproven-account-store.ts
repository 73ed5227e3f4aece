// Accounts whose address was never proven. Whatever was set on one before its mailbox owner showed
// up (a password, a username, a second factor, an API key, a linked identity, a session) may be a
// squatter's, so the first proof of the address — a sign-up that replaces the pending registration,
// a password reset, or a social sign-in with that verified address — strips it, in the same batch as
// that proof's own write.

import { and, eq, isNull, or, type SQL, sql } from "drizzle-orm";
import { forgetApiKeysOfUser } from "./api-key-cache";
import type { Database, PendingWrite } from "./database";
import type { NewOneTimeCode } from "./one-time-code-store";
import {
  apiKeys,
  identities,
  mfaChallenges,
  oneTimeCodes,
  recoveryCodes,
  sessions,
  totpFactors,
  type UserRow,
  users,
} from "./schema";

/**
 * True inside a batch only once this very (salted, so unique) hash is the stored one: the write
 * happened. With `unverified`, only while the address is also still unverified.
 */
export function passwordHashWritten(userId: string, newHash: string, options = { unverified: false }): SQL {
  const unverified = options.unverified ? sql` and ${users.emailVerified} = 0` : sql``;
  return sql`exists (select 1 from ${users} where ${users.id} = ${userId} and ${users.passwordHash} = ${newHash}${unverified})`;
}

/**
 * Writes that remove what an unproven account held, each guarded by `guard` (so nothing is removed
 * unless the caller's own write happened): API keys (its own, and those it made for an
 * organization: the squatter holds their secrets), linked identities (a squatter's own provider
 * account would sign in to the owner's), second factors, MFA challenges, live codes, SMS sign-in and
 * the phone's verification, the username. The first write answers the revoked keys' ids, for the
 * caller to denylist with the sessions it ends (a key's exchanged tokens carry its id as `sid`).
 */
export function discardingUnprovenState(
  db: Database,
  userId: string,
  now: number,
  guard: SQL,
  options: { clearUsername: boolean },
): PendingWrite[] {
  // This isolate stops trusting remembered lookups of the account's keys now (others within the TTL).
  forgetApiKeysOfUser(db.$client, userId);
  return [
    db
      .update(apiKeys)
      .set({ revokedAt: now })
      .where(and(or(eq(apiKeys.userId, userId), eq(apiKeys.createdBy, userId)), isNull(apiKeys.revokedAt), guard))
      .returning({ id: apiKeys.id }),
    db.delete(identities).where(and(eq(identities.userId, userId), guard)),
    db.delete(totpFactors).where(and(eq(totpFactors.userId, userId), guard)),
    db.delete(recoveryCodes).where(and(eq(recoveryCodes.userId, userId), guard)),
    db.delete(mfaChallenges).where(and(eq(mfaChallenges.userId, userId), guard)),
    db
      .update(oneTimeCodes)
      .set({ supersededAt: now })
      .where(
        and(eq(oneTimeCodes.userId, userId), isNull(oneTimeCodes.consumedAt), isNull(oneTimeCodes.supersededAt), guard),
      ),
    db
      .update(users)
      .set({ ...(options.clearUsername ? { username: null } : {}), smsMfaEnabled: false, phoneVerified: false })
      .where(and(eq(users.id, userId), guard)),
  ];
}

/** The ids a discarding batch revoked, from the results of its writes at `at` (discardingUnprovenState's first). */
export const revokedKeyIdsAt = (results: unknown[], at: number): string[] =>
  ((results[at] ?? []) as { id: string }[]).map((row) => row.id);

/** A sign-up's fields that replace a pending registration's. */
export type Registration = Pick<
  UserRow,
  "passwordHash" | "username" | "name" | "firstName" | "lastName" | "phone" | "address"
> & { passwordHash: string };

/**
 * A new sign-up for an address whose account was never verified takes that account over: its
 * password, username and profile replace the pending ones, everything else set before is discarded
 * (sessions ended), and a new verification code replaces every older code. One batch. Undefined when
 * the account was verified in the meantime (then nothing changed; the code written is inert: no one
 * was or will be sent it). A username another account holds aborts the batch (a unique violation).
 * Answers the ended sessions' and revoked keys' ids, for the denylist.
 */
export async function replacePendingRegistration(
  db: Database,
  userId: string,
  registration: Registration,
  code: NewOneTimeCode,
): Promise<{ revokedSessionIds: string[]; revokedKeyIds: string[] } | undefined> {
  const now = code.createdAt;
  const written = passwordHashWritten(userId, registration.passwordHash);
  // The username is the new registration's own (set by the first statement).
  const discarded = discardingUnprovenState(db, userId, now, written, { clearUsername: false });
  const results = await db.batch([
    db
      .update(users)
      .set({ ...registration, phoneVerified: false, smsMfaEnabled: false, updatedAt: now })
      .where(and(eq(users.id, userId), eq(users.emailVerified, false)))
      .returning({ id: users.id }),
    db
      .update(sessions)
      .set({ revokedAt: now, revokeReason: "registration_replaced" })
      .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), written))
      .returning({ id: sessions.id }),
    ...discarded,
    db.insert(oneTimeCodes).values(code),
  ]);
  const [replaced, revoked] = results;
  if (replaced.length === 0) return undefined;
  return { revokedSessionIds: revoked.map((row) => row.id), revokedKeyIds: revokedKeyIdsAt(results, 2) };
}
