// GET /v1/admin/users/{id}/events: any user's security events, newest first and cursor-paged, the
// admin's own actions among them (actor "admin", its key); a deleted user's stay readable.
import { describe, expect, it } from "vitest";
import { signUp } from "./support/accounts";
import { adminCall, issueAdminKey } from "./support/admin";
import { expectProblem, readJson } from "./support/http";

interface EventPage {
  events: {
    id: string;
    type: string;
    actor: { type: string; id: string | null } | null;
    detail: Record<string, unknown>;
  }[];
  next_cursor: string | null;
}

const admin = await issueAdminKey();
const eventsOf = (userId: string, query = "") =>
  adminCall(admin.apiKey, "GET", `/v1/admin/users/${userId}/events${query}`);

describe("GET /v1/admin/users/{id}/events", () => {
  it("pages the user's events by cursor, the admin's actions named by action and key", async () => {
    const account = await signUp();
    for (const action of ["verify-email", "sessions/revoke", "disable", "enable"]) {
      expect(
        (await adminCall(admin.apiKey, "POST", `/v1/admin/users/${account.userId}/${action}`)).status,
      ).toBeLessThan(300);
    }
    const seen: EventPage["events"] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response = await eventsOf(account.userId, `?limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      expect(response.status).toBe(200);
      const page: EventPage = await readJson<EventPage>(response);
      seen.push(...page.events);
      cursor = page.next_cursor;
      pages += 1;
    } while (cursor !== null && pages < 20);
    expect(pages).toBeGreaterThan(1);
    expect(new Set(seen.map((event) => event.id)).size).toBe(seen.length);
    const actions = seen.filter((event) => event.type === "admin_action");
    // Newest first by the second; within one second the log's order is by event id, not by time.
    expect(actions.map((event) => String(event.detail.action)).sort()).toEqual([
      "disable",
      "enable",
      "revoke_sessions",
      "verify_email",
    ]);
    for (const event of actions) expect(event.actor).toEqual({ type: "admin", id: admin.id });
  });

  it("keeps a deleted user's events readable, and an unknown id has none", async () => {
    const account = await signUp();
    expect((await adminCall(admin.apiKey, "DELETE", `/v1/admin/users/${account.userId}`)).status).toBe(204);
    const page = await readJson<EventPage>(await eventsOf(account.userId));
    expect(page.events.map((event) => event.detail.action)).toContain("delete");
    expect(await readJson(await eventsOf(crypto.randomUUID()))).toEqual({ events: [], next_cursor: null });
  });

  it("refuses a bad cursor, a bad limit and unknown parameters", async () => {
    const account = await signUp();
    for (const [query, field] of [
      ["?cursor=%%%", "cursor"],
      ["?cursor=bm90LWEtY3Vyc29y", "cursor"],
      ["?limit=0", "limit"],
      ["?limit=500", "limit"],
      ["?type=admin_action", "type"],
    ]) {
      const body = await expectProblem(await eventsOf(account.userId, query), 400, "invalid_request");
      expect(body.errors, query).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    }
  });
});
