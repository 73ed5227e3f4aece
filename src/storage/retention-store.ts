// Which rows have outlived their use, one entry per table, and the bounded delete that removes them.
// A new table gets its retention by one more entry in RETENTION_SPECS; the service runs them in order.

import { type SQL, sql } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Database } from "./database";
import {
  codeFailures,
  loginFailures,
  mfaChallenges,
  oauthFlows,
  oauthSignInCodes,
  oneTimeCodes,
  refreshTokens,
  securityEvents,
  sessions,
  signInFlows,
  users,
} from "./schema";

/** Everything a rule may depend on, filled by the service from config and its own constants. */
export interface RetentionPolicy {
  /** Unix seconds, fixed for the whole run so every table sees the same instant. */
  now: number;
  sessionIdleTimeoutSeconds: number;
  /** How long a session is kept after it ended (revoked, expired or idle), for the user's own audit. */
  endedSessionSeconds: number;
  /** How long a code or MFA challenge is kept after it expired, was used or was replaced. */
  spentCodeSeconds: number;
  /** A login-failure counter untouched this long counts nothing any more (the lock's memory). */
  loginFailureMemorySeconds: number;
  /** The longest code-guess budget window: a budget row older than this counts nothing. */
  codeBudgetWindowSeconds: number;
  /**
   * With verification required: how long an account that never verified its address is kept (it
   * cannot sign in, and it holds an address and maybe a username); null when verification is optional.
   */
  unverifiedAccountSeconds: number | null;
  /** How long a security event is kept (SECURITY_EVENT_RETENTION_DAYS). */
  securityEventSeconds: number;
}

export interface RetentionSpec {
  /** The SQL table name: the key of its count in the log. */
  name: string;
  table: SQLiteTable;
  /**
   * The rows that may go at `policy.now`. Built from the table's own columns (and subqueries); it
   * must never match a row that is still in use, whatever the backlog.
   */
  expired: (policy: RetentionPolicy) => SQL;
}

/** `(a or b or …)`: drizzle's `or()` may return undefined, a rule must not. */
const anyOf = (...conditions: SQL[]): SQL => sql`(${sql.join(conditions, sql` or `)})`;

/**
 * A session ended `endedSessionSeconds` ago or earlier: revoked, past its absolute expiry, or idle
 * past the idle timeout (the three ways `liveSessionCondition` stops holding).
 */
function sessionEndedLongAgo(policy: RetentionPolicy): SQL {
  const cutoff = policy.now - policy.endedSessionSeconds;
  return anyOf(
    sql`${sessions.revokedAt} <= ${cutoff}`,
    sql`${sessions.expiresAt} <= ${cutoff}`,
    sql`${sessions.lastUsedAt} <= ${cutoff - policy.sessionIdleTimeoutSeconds}`,
  );
}

/**
 * In order: a session's refresh tokens go before the session. A session refreshed every 15 minutes
 * for 30 days has ~2 900 tokens, and an ON DELETE CASCADE would delete all of them inside one
 * statement however small its LIMIT; deleting them here, in batches, keeps every statement bounded,
 * and the session goes only once none is left (the cascade stays for account deletion).
 */
export const RETENTION_SPECS: readonly RetentionSpec[] = [
  {
    name: "refresh_tokens",
    table: refreshTokens,
    expired: (policy) =>
      sql`${refreshTokens.sessionId} in (select ${sessions.id} from ${sessions} where ${sessionEndedLongAgo(policy)})`,
  },
  {
    name: "sessions",
    table: sessions,
    expired: (policy) =>
      sql`${sessionEndedLongAgo(policy)} and not exists (select 1 from ${refreshTokens} where ${refreshTokens.sessionId} = ${sessions.id})`,
  },
  {
    // Expired, used or replaced more than a day ago: no guess or link can match it any more.
    name: "one_time_codes",
    table: oneTimeCodes,
    expired: (policy) => {
      const cutoff = policy.now - policy.spentCodeSeconds;
      return anyOf(
        sql`${oneTimeCodes.expiresAt} <= ${cutoff}`,
        sql`${oneTimeCodes.consumedAt} <= ${cutoff}`,
        sql`${oneTimeCodes.supersededAt} <= ${cutoff}`,
      );
    },
  },
  {
    // Challenges live 5 minutes and a consumed one has expired by then too.
    name: "mfa_challenges",
    table: mfaChallenges,
    expired: (policy) => sql`${mfaChallenges.expiresAt} <= ${policy.now - policy.spentCodeSeconds}`,
  },
  {
    // Sign-in flows live 10 minutes and a consumed one has expired by then too.
    name: "sign_in_flows",
    table: signInFlows,
    expired: (policy) => sql`${signInFlows.expiresAt} <= ${policy.now - policy.spentCodeSeconds}`,
  },
  {
    // Past the lock's memory a row counts as no row (the next failure starts at 1), so deleting it
    // changes nothing a caller can see. A lock still in force is kept whatever its age.
    name: "login_failures",
    table: loginFailures,
    expired: (policy) =>
      sql`${loginFailures.updatedAt} <= ${policy.now - policy.loginFailureMemorySeconds} and (${loginFailures.lockedUntil} is null or ${loginFailures.lockedUntil} <= ${policy.now})`,
  },
  {
    // A budget whose window is over is read as no budget (the next guess opens a new window).
    name: "code_failures",
    table: codeFailures,
    expired: (policy) => sql`${codeFailures.windowStartedAt} <= ${policy.now - policy.codeBudgetWindowSeconds}`,
  },
  {
    // Sign-ups that never proved their address (a typo, an abandoned sign-up, or a squat on someone
    // else's). Only with verification required, where such an account never signed in; untouched
    // for the whole period and without any session row. Its codes and factors go with it (cascade).
    name: "users",
    table: users,
    expired: (policy) => {
      if (policy.unverifiedAccountSeconds === null) return sql`0`;
      const cutoff = policy.now - policy.unverifiedAccountSeconds;
      // A live code means someone asked for one just now (resend): the owner may be about to verify.
      return sql`${users.emailVerified} = 0 and ${users.createdAt} <= ${cutoff} and ${users.updatedAt} <= ${cutoff} and not exists (select 1 from ${sessions} where ${sessions.userId} = ${users.id}) and not exists (select 1 from ${oneTimeCodes} where ${oneTimeCodes.userId} = ${users.id} and ${oneTimeCodes.expiresAt} > ${policy.now})`;
    },
  },
  {
    // Social-login redirect flows live 10 minutes and their sign-in codes 5; a consumed one has
    // expired by the cutoff too (oauth_*_expires_at_idx).
    name: "oauth_flows",
    table: oauthFlows,
    expired: (policy) => sql`${oauthFlows.expiresAt} <= ${policy.now - policy.spentCodeSeconds}`,
  },
  {
    name: "oauth_sign_in_codes",
    table: oauthSignInCodes,
    expired: (policy) => sql`${oauthSignInCodes.expiresAt} <= ${policy.now - policy.spentCodeSeconds}`,
  },
  {
    // The security event log: append-only, each event kept for the configured period from its time
    // (security_events_created_at_idx), whatever the account it names has done since.
    name: "security_events",
    table: securityEvents,
    expired: (policy) => sql`${securityEvents.createdAt} <= ${policy.now - policy.securityEventSeconds}`,
  },
];

/**
 * Deletes at most `limit` rows `spec` calls expired, in one statement:
 * `DELETE FROM t WHERE rowid IN (SELECT rowid FROM t WHERE <expired> LIMIT n)` (SQLite's DELETE takes
 * no LIMIT of its own unless compiled with it). Returns the rows deleted from `t`; rows removed by a
 * cascade are not counted.
 */
export async function deleteExpiredRows(
  db: Database,
  spec: RetentionSpec,
  policy: RetentionPolicy,
  limit: number,
): Promise<number> {
  const result = await db
    .delete(spec.table)
    .where(sql`rowid in (select rowid from ${spec.table} where ${spec.expired(policy)} limit ${limit})`)
    .run();
  return result.meta.changes ?? 0;
}
