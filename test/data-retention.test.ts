// Data retention on the Cron Trigger: exactly the rows past their retention go, rows still in use
// stay, refresh tokens go with their sessions, and each run deletes a bounded number of rows. Tests
// share the database, so each creates its own rows (unique ids) and asserts only about those.
// Never-verified accounts are in test/data-retention-accounts.test.ts.
import { env } from "cloudflare:workers";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it, vi } from "vitest";
import { getServiceContext } from "../src/context";
import { RETENTION_BATCH_ROWS, RETENTION_STATEMENTS_PER_RUN, runDataRetention } from "../src/services/data-retention";
import { RETENTION_SPECS, type RetentionSpec } from "../src/storage/retention-store";
import { loginFailures } from "../src/storage/schema";
import { dependentsOf, insertCodeFailure } from "./support/retention-account-rows";
import {
  countWithPrefix,
  DAY,
  IDLE,
  insertChallenge,
  insertCode,
  insertLoginFailure,
  insertLoginFailureBacklog,
  insertSession,
  insertUser,
  now,
  remaining,
  runScheduled,
  uid,
} from "./support/retention-rows";

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the scheduled data retention", () => {
  it("deletes sessions ended more than 7 days ago with their refresh tokens, and keeps live and recent ones", async () => {
    const user = await insertUser();
    const t = now();
    const live = await insertSession(user);
    const gone = [
      await insertSession(user, { revokedAt: t - 8 * DAY }, 3),
      await insertSession(user, { expiresAt: t - 8 * DAY }),
      await insertSession(user, { lastUsedAt: t - IDLE - 8 * DAY }),
    ];
    const kept = [
      live,
      await insertSession(user, { revokedAt: t - 6 * DAY }),
      await insertSession(user, { expiresAt: t - DAY }),
      await insertSession(user, { lastUsedAt: t - IDLE - 6 * DAY }),
    ];

    await runScheduled();

    const all = [...gone, ...kept];
    expect(
      await remaining(
        "sessions",
        all.map((s) => s.id),
      ),
    ).toEqual(kept.map((s) => s.id).sort());
    expect(
      await remaining(
        "refresh_tokens",
        all.flatMap((s) => s.tokenHashes),
      ),
    ).toEqual(kept.flatMap((s) => s.tokenHashes).sort());
  });

  it("deletes codes expired, used or replaced more than a day ago, and keeps unexpired and recent ones", async () => {
    const user = await insertUser();
    const t = now();
    const gone = [
      await insertCode(user, { expiresAt: t - 2 * DAY }),
      await insertCode(user, { expiresAt: t - 2 * DAY + 300, consumedAt: t - 2 * DAY }),
      await insertCode(user, { expiresAt: t - 2 * DAY + 300, supersededAt: t - 2 * DAY }),
    ];
    const kept = [
      await insertCode(user, { expiresAt: t + 600 }),
      await insertCode(user, { expiresAt: t - 3600 }),
      await insertCode(user, { expiresAt: t + 300, consumedAt: t - 60 }),
      await insertCode(user, { expiresAt: t + 300, supersededAt: t - 60 }),
    ];

    await runScheduled();

    expect(await remaining("one_time_codes", [...gone, ...kept])).toEqual([...kept].sort());
  });

  it("deletes MFA challenges expired more than a day ago and keeps the others", async () => {
    const user = await insertUser();
    const t = now();
    const gone = await insertChallenge(user, t - 2 * DAY);
    const kept = [await insertChallenge(user, t + 300), await insertChallenge(user, t - 3600)];

    await runScheduled();

    expect(await remaining("mfa_challenges", [gone, ...kept])).toEqual([...kept].sort());
  });

  it("deletes login failures older than the lock's memory unless a lock is still in force", async () => {
    const t = now();
    const gone = [await insertLoginFailure(t - 2 * DAY, null), await insertLoginFailure(t - 2 * DAY, t - 2 * DAY + 60)];
    const kept = [
      await insertLoginFailure(t - 2 * DAY, t + 3600),
      await insertLoginFailure(t - 3600, null),
      await insertLoginFailure(t - 60, t + 60),
    ];

    await runScheduled();

    expect(await remaining("login_failures", [...gone, ...kept])).toEqual([...kept].sort());
  });

  it("deletes code-guess budgets whose window opened an hour ago or earlier, and keeps current ones", async () => {
    const user = await insertUser();
    const t = now();
    await insertCodeFailure(user, t - 3600 - 60, "verify_email");
    await insertCodeFailure(user, t - 3600, "change_email");
    await insertCodeFailure(user, t - 3600 + 60, "reset_password");
    await insertCodeFailure(user, t - 60, "verify_phone");

    await runScheduled();

    expect((await dependentsOf(user)).budgets).toEqual(["reset_password", "verify_phone"]);
  });

  it("logs the counts per table and no row's values", async () => {
    const logged = vi.spyOn(console, "log");
    const key = await insertLoginFailure(now() - 2 * DAY, null);

    await runScheduled();

    const lines = logged.mock.calls.map((args) => args.map(String).join(" "));
    const line = lines.find((text) => text.includes('"event":"data_retention"'));
    const event = JSON.parse(line ?? "{}") as { deleted: Record<string, number>; failed: string[] };
    expect(Object.keys(event.deleted).sort()).toEqual(RETENTION_SPECS.map((spec) => spec.name).sort());
    expect(event.deleted.login_failures).toBeGreaterThanOrEqual(1);
    expect(event.failed).toEqual([]);
    for (const text of lines) expect(text).not.toContain(key);
  });

  it("deletes at most one run's bound of a larger backlog, and the rest on the next run", async () => {
    const bound = RETENTION_BATCH_ROWS * Math.floor(RETENTION_STATEMENTS_PER_RUN / RETENTION_SPECS.length);
    const prefix = uid("backlog");
    const extra = 500;
    await insertLoginFailureBacklog(prefix, bound + extra);
    const lockedKey = await insertLoginFailure(now() - 2 * DAY, now() + 3600);

    await runScheduled();
    // Other tests' expired rows count against the same bound, so at least `extra` of ours are left.
    const afterOne = await countWithPrefix(prefix);
    expect(afterOne).toBeGreaterThanOrEqual(extra);
    expect(afterOne).toBeLessThan(bound + extra);

    await runScheduled();
    expect(await countWithPrefix(prefix)).toBe(0);
    expect(await remaining("login_failures", [lockedKey])).toEqual([lockedKey]);
  });
});

describe("runDataRetention's bounds", () => {
  /** The real login_failures rule, narrowed to rows with `prefix` so other tests' rows do not count. */
  function onlyPrefixed(prefix: string): RetentionSpec {
    const rule = RETENTION_SPECS.find((spec) => spec.name === "login_failures");
    if (!rule) throw new Error("no login_failures rule");
    return {
      ...rule,
      name: prefix,
      expired: (policy) =>
        sql`${rule.expired(policy)} and substr(${loginFailures.identifierHash}, 1, ${prefix.length}) = ${prefix}`,
    };
  }

  it("splits the statements evenly over the tables and stops a table at its share", async () => {
    const context = await getServiceContext(env);
    const [a, b] = [uid("bound-a"), uid("bound-b")];
    await insertLoginFailureBacklog(a, 75);
    await insertLoginFailureBacklog(b, 15);
    const specs = [onlyPrefixed(a), onlyPrefixed(b)];
    // 6 statements over 2 tables: 3 rounds of 10 rows each, at most 30 rows per table per run.
    const bounds = { batchRows: 10, statementsPerRun: 6 };

    const first = await runDataRetention(context, specs, bounds);
    expect(first.deleted).toEqual({ [a]: 30, [b]: 15 });
    expect(first.unfinished).toEqual([a]);
    expect([await countWithPrefix(a), await countWithPrefix(b)]).toEqual([45, 0]);

    expect((await runDataRetention(context, specs, bounds)).deleted).toEqual({ [a]: 30, [b]: 0 });
    const third = await runDataRetention(context, specs, bounds);
    expect(third.deleted).toEqual({ [a]: 15, [b]: 0 });
    expect(third.unfinished).toEqual([]);
    expect(await countWithPrefix(a)).toBe(0);
  });

  it("keeps going after a table fails, then reports the failure", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const context = await getServiceContext(env);
    const prefix = uid("after-failure");
    await insertLoginFailureBacklog(prefix, 3);
    const broken: RetentionSpec = { ...onlyPrefixed(prefix), name: "broken", expired: () => sql`no_such_column = 1` };

    await expect(runDataRetention(context, [broken, onlyPrefixed(prefix)])).rejects.toThrow(/broken/);
    expect(await countWithPrefix(prefix)).toBe(0);
  });
});

describe("D1's foreign keys", () => {
  it("cascade a deleted session to its refresh tokens (the safety net behind account deletion)", async () => {
    const user = await insertUser();
    const session = await insertSession(user, {}, 3);
    await env.DB.prepare("DELETE FROM sessions WHERE id = ?").bind(session.id).run();
    expect(await remaining("refresh_tokens", session.tokenHashes)).toEqual([]);
  });
});
