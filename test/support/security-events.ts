// The security event log as the tests read it: rows straight from D1 (waiting for the write the
// Worker deferred past its response), the caller's own page through GET /v1/me/events, and a scan
// of stored rows for values that must never be in them.
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { call, readJson } from "./http";

export interface EventRow {
  id: string;
  created_at: number;
  type: string;
  subject_user_id: string | null;
  actor_user_id: string | null;
  actor_key_id: string | null;
  org_id: string | null;
  ip: string | null;
  user_agent: string | null;
  detail: string;
}

export interface PublicEvent {
  id: string;
  type: string;
  created_at: string;
  ip: string | null;
  user_agent: string | null;
  actor: { type: string; id: string | null } | null;
  detail: Record<string, unknown>;
}

export async function eventRowsOf(userId: string): Promise<EventRow[]> {
  const { results } = await env.DB.prepare(
    "select * from security_events where subject_user_id = ? order by created_at, rowid",
  )
    .bind(userId)
    .all<EventRow>();
  return results;
}

/**
 * The subject's rows once at least `count` of `type` are stored (the write runs after the response,
 * in waitUntil); fails after about 3 s.
 */
export async function waitForEvents(userId: string, type: string, count = 1): Promise<EventRow[]> {
  for (let attempt = 0; attempt < 60; attempt++) {
    const rows = await eventRowsOf(userId);
    if (rows.filter((row) => row.type === type).length >= count) return rows;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const types = (await eventRowsOf(userId)).map((row) => row.type);
  throw new Error(`no ${count} × ${type} event for the subject; stored: ${types.join(", ")}`);
}

/** The rows of `type` once stored, each with its detail parsed. */
export async function eventsOfType(userId: string, type: string, count = 1) {
  const rows = (await waitForEvents(userId, type, count)).filter((row) => row.type === type);
  return rows.map((row) => ({ ...row, detail: JSON.parse(row.detail) as Record<string, unknown> }));
}

/** GET /v1/me/events as the holder of `accessToken`, with `query` as the query string. */
export function myEvents(accessToken: string, query = ""): Promise<Response> {
  return call("GET", `/v1/me/events${query}`, { token: accessToken });
}

export async function myEventPage(accessToken: string, query = "") {
  const response = await myEvents(accessToken, query);
  expect(response.status).toBe(200);
  return readJson<{ events: PublicEvent[]; next_cursor: string | null }>(response);
}

/** No stored row (all of them, as JSON) contains any of `secrets`, in any case. */
export async function expectNoSecretsStored(secrets: string[]): Promise<void> {
  const { results } = await env.DB.prepare("select * from security_events").all();
  const dump = JSON.stringify(results).toLowerCase();
  for (const secret of secrets)
    expect(dump.includes(secret.toLowerCase()), `a stored event holds ${secret.slice(0, 4)}…`).toBe(false);
}
