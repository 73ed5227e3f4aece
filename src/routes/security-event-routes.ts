// GET /v1/me/events: the signed-in user's own security event log, newest first, cursor-paged. Only
// a person's session reads it (Bearer access token, checked in D1), and only the events whose
// subject is that person: the subject comes from the session, never from the request.

import { Hono } from "hono";
import { AppError } from "../errors";
import { listSecurityEvents } from "../services/security-events";
import type { AppEnv } from "./http/app-env";
import { requireCaller } from "./http/bearer";
import { toFieldIssues } from "./http/body";
import { SecurityEventsQuery } from "./security-event-schemas";
import { toPublicSecurityEvent } from "./security-event-views";

const NO_STORE = { "Cache-Control": "no-store" };

/** The query string as one value per key (a repeated key is refused), validated by `SecurityEventsQuery`. */
function readEventsQuery(url: string) {
  const fields = new Map<string, string>();
  for (const [key, value] of new URL(url).searchParams) {
    if (fields.has(key))
      throw new AppError({ code: "invalid_request", issues: [{ field: key, message: "is repeated" }] });
    fields.set(key, value);
  }
  const parsed = SecurityEventsQuery.safeParse(Object.fromEntries(fields));
  if (!parsed.success) throw new AppError({ code: "invalid_request", issues: toFieldIssues(parsed.error) });
  return parsed.data;
}

export const securityEventRoutes = new Hono<AppEnv>();

securityEventRoutes.get("/v1/me/events", requireCaller);

securityEventRoutes.get("/v1/me/events", async (c) => {
  const { cursor, limit } = readEventsQuery(c.req.url);
  const result = await listSecurityEvents(c.get("services"), {
    subjectUserId: c.get("principal").user.id,
    ...(cursor === undefined ? {} : { cursor }),
    ...(limit === undefined ? {} : { limit }),
  });
  if (!result.ok) throw new AppError(result.error);
  const { events, nextCursor } = result.value;
  return c.json({ events: events.map(toPublicSecurityEvent), next_cursor: nextCursor }, 200, NO_STORE);
});
