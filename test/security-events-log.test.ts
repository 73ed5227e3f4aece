// Reading and keeping the security event log: GET /v1/me/events answers only the caller's own
// events, newest first, paged by an opaque cursor (a cursor it did not issue is a 400); a failed
// event write never fails the request; retention deletes events past SECURITY_EVENT_RETENTION_DAYS
// and nothing younger; the variable is bounded and fails closed.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { encodeBase64Url, utf8 } from "../src/crypto/encoding";
import { PASSWORD, signUp } from "./support/accounts";
import { refusalOf } from "./support/config";
import { dropAllFaults, injectFault } from "./support/faults";
import { callAndSettle, expectProblem, expectRefusedAsBearer } from "./support/http";
import { DAY, now, runScheduled } from "./support/retention-rows";
import { eventRowsOf, eventsOfType, myEventPage, myEvents } from "./support/security-events";

afterEach(async () => {
  vi.restoreAllMocks();
  await dropAllFaults();
});

/** `count` successful sign-ins of `email`, each recorded before the next. */
async function signIns(email: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    expect((await callAndSettle("POST", "/v1/login", { json: { email, password: PASSWORD } })).status).toBe(200);
  }
}

async function insertEvent(fields: Record<string, unknown>): Promise<string> {
  const id = crypto.randomUUID();
  const row = { id, created_at: now(), type: "admin_action", detail: "{}", ...fields };
  const columns = Object.keys(row);
  await env.DB.prepare(
    `insert into security_events (${columns.join(", ")}) values (${columns.map(() => "?").join(", ")})`,
  )
    .bind(...Object.values(row))
    .run();
  return id;
}

describe("GET /v1/me/events", () => {
  it("answers the caller's events newest first, in the documented shape", async () => {
    const account = await signUp();
    await signIns(account.email, 2);
    await eventsOfType(account.userId, "sign_in_succeeded", 2);
    const page = await myEventPage(account.tokens.access_token);
    expect(page.next_cursor).toBeNull();
    const stored = (await eventRowsOf(account.userId)).reverse();
    expect(page.events.map((event) => event.id)).toEqual(stored.map((row) => row.id));
    expect(page.events[0]).toEqual({
      id: stored[0]?.id,
      type: "sign_in_succeeded",
      created_at: new Date((stored[0]?.created_at ?? 0) * 1000).toISOString(),
      ip: expect.any(String),
      user_agent: null,
      actor: { type: "user", id: account.userId },
      detail: { session_id: expect.any(String), amr: "pwd" },
    });
  });

  it("names an operator's action as admin and a failed sign-in as having no actor", async () => {
    const account = await signUp();
    const keyId = crypto.randomUUID();
    await insertEvent({ subject_user_id: account.userId, actor_key_id: keyId, detail: '{"action":"disable"}' });
    await insertEvent({ subject_user_id: account.userId, type: "sign_in_failed", created_at: now() - 5 });
    const { events } = await myEventPage(account.tokens.access_token);
    expect(events.map((event) => [event.type, event.actor])).toEqual([
      ["admin_action", { type: "admin", id: keyId }],
      ["sign_in_failed", null],
    ]);
  });

  it("pages by cursor: disjoint pages that together are every event, then a null cursor", async () => {
    const account = await signUp();
    await signIns(account.email, 5);
    await eventsOfType(account.userId, "sign_in_succeeded", 5);
    const seen: string[] = [];
    let cursor: string | null = null;
    for (let pages = 0; pages < 3; pages++) {
      const page = await myEventPage(account.tokens.access_token, `?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(page.events.length).toBe(pages < 2 ? 2 : 1);
      seen.push(...page.events.map((event) => event.id));
      cursor = page.next_cursor;
    }
    expect(cursor).toBeNull();
    expect(seen).toEqual((await eventRowsOf(account.userId)).reverse().map((row) => row.id));
  });

  it("never shows another user's events, even through the other user's cursor", async () => {
    const [alice, bob] = await Promise.all([signUp(), signUp()]);
    await signIns(bob.email, 3);
    await eventsOfType(bob.userId, "sign_in_succeeded", 3);
    await signIns(alice.email, 1);
    await eventsOfType(alice.userId, "sign_in_succeeded");
    const bobsPage = await myEventPage(bob.tokens.access_token, "?limit=1");
    expect(bobsPage.next_cursor).not.toBeNull();
    const alicesPage = await myEventPage(alice.tokens.access_token, `?cursor=${bobsPage.next_cursor}`);
    const bobsIds = new Set((await eventRowsOf(bob.userId)).map((row) => row.id));
    expect(alicesPage.events.every((event) => !bobsIds.has(event.id))).toBe(true);
    const all = await myEventPage(alice.tokens.access_token);
    expect(all.events).toHaveLength(1);
    expect(all.events[0]?.actor).toEqual({ type: "user", id: alice.userId });
  });

  it("refuses cursors it did not issue and bad limits with 400 invalid_request", async () => {
    const account = await signUp();
    const forged = [
      "garbage!",
      encodeBase64Url(utf8("1700000000.not-a-uuid")),
      encodeBase64Url(utf8(`1700000000.${crypto.randomUUID()}`)).concat("A"),
      encodeBase64Url(utf8(`-1.${crypto.randomUUID()}`)),
      "A".repeat(81),
      "",
    ];
    for (const cursor of forged) {
      const body = await expectProblem(
        await myEvents(account.tokens.access_token, `?cursor=${cursor}`),
        400,
        "invalid_request",
      );
      expect(body.errors).toEqual([expect.objectContaining({ field: "cursor" })]);
    }
    for (const query of ["?limit=0", "?limit=101", "?limit=abc", "?limit=1.5", "?limit=2&limit=3", "?user_id=x"]) {
      await expectProblem(await myEvents(account.tokens.access_token, query), 400, "invalid_request");
    }
  });

  it("refuses a caller without a live session, and answers 405 to other methods", async () => {
    await expectRefusedAsBearer(await callAndSettle("GET", "/v1/me/events"));
    const account = await signUp();
    await callAndSettle("DELETE", "/v1/sessions", { token: account.tokens.access_token });
    await expectRefusedAsBearer(await myEvents(account.tokens.access_token));
    const post = await callAndSettle("POST", "/v1/me/events", { token: account.tokens.access_token, json: {} });
    await expectProblem(post, 405, "method_not_allowed");
  });
});

describe("writing an event", () => {
  it("never fails the request when the write fails, and logs only the reason class", async () => {
    const account = await signUp();
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    await injectFault("no_security_events", "BEFORE INSERT", "security_events");
    const response = await callAndSettle("POST", "/v1/login", { json: { email: account.email, password: PASSWORD } });
    expect(response.status).toBe(200);
    expect(await eventRowsOf(account.userId)).toEqual([]);
    const lines = errors.mock.calls.map((args) => String(args[0])).filter((line) => line.includes("security_event"));
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      { event: "security_event_write_failed", type: "sign_in_succeeded", reason: "service_unavailable" },
    ]);
    expect(lines.join("\n")).not.toContain(account.email);
  });
});

describe("events through a dialect", () => {
  it("records a sign-in through a dialect's login like a native one (the same service)", async () => {
    const account = await signUp();
    const response = await callAndSettle("POST", "/auth/token/", {
      json: { email: account.email, password: PASSWORD },
      ip: "198.18.0.9",
    });
    expect(response.status).toBe(200);
    const [event] = await eventsOfType(account.userId, "sign_in_succeeded");
    expect(event).toMatchObject({ ip: "198.18.0.9", actor_user_id: account.userId, detail: { amr: "pwd" } });
  });
});

describe("retention of security events", () => {
  it("deletes events older than SECURITY_EVENT_RETENTION_DAYS (90 by default) and keeps younger ones", async () => {
    const subject = crypto.randomUUID();
    const t = now();
    const old = await insertEvent({ subject_user_id: subject, created_at: t - 90 * DAY - 60 });
    const kept = [
      await insertEvent({ subject_user_id: subject, created_at: t - 90 * DAY + 600 }),
      await insertEvent({ subject_user_id: subject, created_at: t - DAY - 60 }),
    ];
    const fresh = await insertEvent({ subject_user_id: subject, created_at: t - DAY + 600 });
    await runScheduled();
    const left = (await eventRowsOf(subject)).map((row) => row.id);
    expect(left.sort()).toEqual([...kept, fresh].sort());
    expect(left).not.toContain(old);

    // A shorter period set by the operator applies on the next run.
    await runScheduled({ ...env, SECURITY_EVENT_RETENTION_DAYS: "1" });
    expect((await eventRowsOf(subject)).map((row) => row.id)).toEqual([fresh]);
  });

  it("refuses a retention outside 1..3650 days or not a whole number, naming the variable", () => {
    for (const value of ["0", "3651", "ninety", "-5", "1.5"]) {
      expect(refusalOf({ SECURITY_EVENT_RETENTION_DAYS: value })).toContain("SECURITY_EVENT_RETENTION_DAYS");
    }
  });
});
