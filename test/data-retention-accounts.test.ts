// Data retention of never-verified accounts: the Cron Trigger deletes one (with its codes and budgets)
// only when verification is required and it is old, untouched, without sessions and without a live
// code. Tests share the database, so each creates its own rows (unique ids) and asserts only about those.
import { describe, expect, it } from "vitest";
import type { Bindings } from "../src/bindings";
import { getServiceContext } from "../src/context";
import { runDataRetention } from "../src/services/data-retention";
import { requiredEnv } from "./support/mail";
import { accountsLeft, dependentsOf, insertAccount, insertCodeFailure } from "./support/retention-account-rows";
import {
  DAY,
  insertCode,
  insertOAuthFlow,
  insertOAuthSignInCode,
  insertSession,
  insertUser,
  now,
  remaining,
  runScheduled,
} from "./support/retention-rows";

/** Verification required and no dialect mounted: the only setting in which a never-verified account never signed in. */
const squatCleanupEnv: Bindings = { ...requiredEnv, DIALECTS: "" };

describe("the scheduled deletion of never-verified accounts", () => {
  it("deletes an account never verified, untouched for 8 days and without sessions, with its codes and budgets, when verification is required", async () => {
    const t = now();
    const user = await insertAccount({ createdAt: t - 8 * DAY });
    // Expired minutes ago (the code rule waits a day) and a current budget: only the cascade removes them.
    const code = await insertCode(user, { expiresAt: t - 600 });
    await insertCodeFailure(user, t - 60);
    expect(await dependentsOf(user)).toEqual({ codes: [code], budgets: ["verify_email"] });

    await runScheduled(squatCleanupEnv);

    expect(await accountsLeft([user])).toEqual([]);
    expect(await dependentsOf(user)).toEqual({ codes: [], budgets: [] });
  });

  it("keeps an old never-verified account that has an unexpired code (someone just asked for one)", async () => {
    const t = now();
    const old = await insertAccount({ createdAt: t - 8 * DAY });
    const waiting = await insertAccount({ createdAt: t - 8 * DAY });
    const code = await insertCode(waiting, { expiresAt: t + 600 });

    await runScheduled(squatCleanupEnv);

    expect(await accountsLeft([old, waiting])).toEqual([waiting]);
    expect((await dependentsOf(waiting)).codes).toEqual([code]);
  });

  it("keeps a never-verified account created or last updated less than 7 days ago", async () => {
    const t = now();
    const old = await insertAccount({ createdAt: t - 8 * DAY });
    const kept = [
      await insertAccount({ createdAt: t - 6 * DAY }),
      await insertAccount({ createdAt: t - 8 * DAY, updatedAt: t - 6 * DAY }),
    ];

    await runScheduled(squatCleanupEnv);

    expect(await accountsLeft([old, ...kept])).toEqual([...kept].sort());
  });

  it("keeps an old never-verified account that has a session row, live or recently ended", async () => {
    const t = now();
    const old = await insertAccount({ createdAt: t - 8 * DAY });
    const live = await insertAccount({ createdAt: t - 8 * DAY });
    const liveSession = await insertSession(live);
    const ended = await insertAccount({ createdAt: t - 8 * DAY });
    const endedSession = await insertSession(ended, { revokedAt: t - DAY });

    await runScheduled(squatCleanupEnv);

    expect(await accountsLeft([old, live, ended])).toEqual([live, ended].sort());
    expect(await remaining("sessions", [liveSession.id, endedSession.id])).toEqual(
      [liveSession.id, endedSession.id].sort(),
    );
  });

  it("keeps an old account whose address is verified", async () => {
    const t = now();
    const unverified = await insertAccount({ createdAt: t - 8 * DAY });
    const verified = await insertAccount({ createdAt: t - 8 * DAY, emailVerified: true });

    await runScheduled(squatCleanupEnv);

    expect(await accountsLeft([unverified, verified])).toEqual([verified]);
  });

  it("keeps old never-verified accounts while verification is optional", async () => {
    const t = now();
    const user = await insertAccount({ createdAt: t - 8 * DAY });
    const code = await insertCode(user, { expiresAt: t - 600 });

    await runScheduled();
    expect(await accountsLeft([user])).toEqual([user]);
    expect((await dependentsOf(user)).codes).toEqual([code]);

    // The same account goes once verification is required: only the setting kept it.
    await runScheduled(squatCleanupEnv);
    expect(await accountsLeft([user])).toEqual([]);
  });

  it("deletes them through runDataRetention with a context built for verification required", async () => {
    const user = await insertAccount({ createdAt: now() - 8 * DAY });
    const context = await getServiceContext(squatCleanupEnv);

    const report = await runDataRetention(context);

    expect(report.deleted.users).toBeGreaterThanOrEqual(1);
    expect(report.failed).toEqual([]);
    expect(await accountsLeft([user])).toEqual([]);
  });

  it("keeps old never-verified accounts while a dialect is mounted (a dialect may sign them in unverified)", async () => {
    const user = await insertAccount({ createdAt: now() - 8 * DAY });
    await runScheduled(requiredEnv);
    expect(await accountsLeft([user])).toEqual([user]);
    await runScheduled(squatCleanupEnv);
    expect(await accountsLeft([user])).toEqual([]);
  });
});

describe("the scheduled retention of social-login flows and sign-in codes", () => {
  it("deletes those expired more than a day ago and keeps live and recent ones", async () => {
    const user = await insertUser();
    const t = now();
    const goneFlow = await insertOAuthFlow(t - 2 * DAY);
    const keptFlows = [await insertOAuthFlow(t + 600), await insertOAuthFlow(t - 3600)];
    const goneCode = await insertOAuthSignInCode(user, t - 2 * DAY);
    const keptCodes = [await insertOAuthSignInCode(user, t + 300), await insertOAuthSignInCode(user, t - 3600)];

    await runScheduled();

    expect(await remaining("oauth_flows", [goneFlow, ...keptFlows])).toEqual([...keptFlows].sort());
    expect(await remaining("oauth_sign_in_codes", [goneCode, ...keptCodes])).toEqual([...keptCodes].sort());
  });
});
