// Deletes what the service no longer needs, on the Cron Trigger (wrangler.toml [triggers]): ended
// sessions and their refresh tokens, spent codes, MFA challenges and code budgets, forgotten login
// failures, and (verification required) accounts that never verified their address.
// Without it these tables only grow, and one of them with an attacker's help: every unknown
// identifier tried at login leaves a login_failures row.
//
// Each run is bounded whatever the backlog: at most RETENTION_STATEMENTS_PER_RUN D1 statements
// (split evenly over the tables), each deleting at most RETENTION_BATCH_ROWS rows. A larger backlog
// is left for the next runs. The Worker's own CPU per statement is building one SQL string; the
// deleting happens in D1, within its 30 s per-query limit.

import {
  deleteExpiredRows,
  RETENTION_SPECS,
  type RetentionPolicy,
  type RetentionSpec,
} from "../storage/retention-store";
import type { ServiceContext } from "./context";
import { LOGIN_FAILURE_MEMORY_SECONDS } from "./login-throttle";
import { CODE_GUESS_BUDGETS } from "./one-time-codes";

/** Rows one statement may delete. */
export const RETENTION_BATCH_ROWS = 1000;
/**
 * D1 statements one run may make. D1 allows 50 queries per Worker invocation on the Free plan (1 000
 * on Paid); 40 leaves room and, with the eleven tables today, gives each 3 rounds: 3 000 rows per
 * table per run, 288 000 per table per day at one run every 15 minutes.
 */
export const RETENTION_STATEMENTS_PER_RUN = 40;
/** An ended session stays listed in D1 this long (7 days), so its user and support can still see it. */
export const ENDED_SESSION_RETENTION_SECONDS = 7 * 86_400;
/** A spent code or MFA challenge stays a day: long enough to explain a "code expired" complaint. */
export const SPENT_CODE_RETENTION_SECONDS = 86_400;
/** A sign-up that never verified its address is deleted after 7 days (verification required only). */
export const UNVERIFIED_ACCOUNT_RETENTION_SECONDS = 7 * 86_400;

export interface RetentionBounds {
  batchRows: number;
  statementsPerRun: number;
}

export interface RetentionReport {
  /** Rows deleted per table (cascades not counted). */
  deleted: Record<string, number>;
  /** Tables whose last batch was full: rows may be left for the next run. */
  unfinished: string[];
  /** Tables whose delete failed; the others still ran. */
  failed: string[];
}

export function retentionPolicy(context: ServiceContext): RetentionPolicy {
  return {
    now: context.now(),
    sessionIdleTimeoutSeconds: context.config.sessionIdleTimeoutSeconds,
    endedSessionSeconds: ENDED_SESSION_RETENTION_SECONDS,
    spentCodeSeconds: SPENT_CODE_RETENTION_SECONDS,
    loginFailureMemorySeconds: LOGIN_FAILURE_MEMORY_SECONDS,
    codeBudgetWindowSeconds: Math.max(...Object.values(CODE_GUESS_BUDGETS).map((budget) => budget.windowSeconds)),
    // Only where a never-verified account cannot have signed in: verification required and no
    // dialect mounted (a dialect such as crema signs accounts in unverified, as its document says).
    unverifiedAccountSeconds:
      context.config.emailVerification === "required" && context.config.dialects.length === 0
        ? UNVERIFIED_ACCOUNT_RETENTION_SECONDS
        : null,
    securityEventSeconds: context.config.securityEvents.retentionDays * 86_400,
  };
}

/**
 * One run over `specs` (all tables by default), in their order. Logs counts and table names only,
 * never a row's values. Throws after the run when a table failed, so the cron run shows as failed.
 */
export async function runDataRetention(
  context: ServiceContext,
  specs: readonly RetentionSpec[] = RETENTION_SPECS,
  bounds: RetentionBounds = { batchRows: RETENTION_BATCH_ROWS, statementsPerRun: RETENTION_STATEMENTS_PER_RUN },
): Promise<RetentionReport> {
  const policy = retentionPolicy(context);
  const rounds = Math.max(1, Math.floor(bounds.statementsPerRun / Math.max(1, specs.length)));
  const report: RetentionReport = { deleted: {}, unfinished: [], failed: [] };
  for (const spec of specs) {
    let deleted = 0;
    let full = true;
    try {
      for (let round = 0; round < rounds && full; round++) {
        const count = await deleteExpiredRows(context.db, spec, policy, bounds.batchRows);
        deleted += count;
        full = count >= bounds.batchRows;
      }
      if (full) report.unfinished.push(spec.name);
    } catch (error) {
      report.failed.push(spec.name);
      console.error(JSON.stringify({ event: "data_retention_failed", table: spec.name, error: innermost(error) }));
    }
    report.deleted[spec.name] = deleted;
  }
  console.log(JSON.stringify({ event: "data_retention", ...report }));
  if (report.failed.length > 0) throw new Error(`data retention failed for ${report.failed.join(", ")}`);
  return report;
}

/** The storage's own error: drizzle's outer "Failed query" repeats the SQL and its parameters. */
function innermost(error: unknown): string {
  let current = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? `${current.name}: ${current.message}` : "non-error thrown";
}
