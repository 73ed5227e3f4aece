// Request and response schemas of GET /v1/me/events (the caller's own security event log); the same
// objects validate the query and generate /openapi.json (src/routes/openapi.ts).

import * as z from "zod";
import { MAX_EVENT_CURSOR_LENGTH } from "../services/event-cursor";
import { MAX_EVENT_PAGE } from "../services/security-events";

export const SecurityEventsQuery = z.strictObject({
  cursor: z
    .string()
    .min(1)
    .max(MAX_EVENT_CURSOR_LENGTH)
    .optional()
    .meta({ description: "The `next_cursor` of the previous page; absent: the newest events." }),
  limit: z
    .string()
    .regex(/^\d{1,3}$/, "must be a whole number 1..100")
    .transform(Number)
    .pipe(z.number().int().min(1).max(MAX_EVENT_PAGE))
    .optional()
    .meta({ description: "Events per page, 1..100 (default 50)." }),
});

export const SecurityEventActor = z
  .object({
    type: z.enum(["user", "api_key", "admin"]),
    id: z.string().nullable().meta({ description: "A user id, or an API key's id (null: a trusted Worker over RPC)." }),
  })
  .meta({ id: "SecurityEventActor" });

export const SecurityEvent = z
  .object({
    id: z.string(),
    type: z.string().meta({ examples: ["sign_in_succeeded", "password_changed", "factor_added"] }),
    created_at: z.string().meta({ description: "RFC 3339." }),
    ip: z.string().nullable(),
    user_agent: z.string().nullable(),
    actor: SecurityEventActor.nullable().meta({ description: "Null when no one signed in acted (a failed sign-in)." }),
    detail: z
      .record(z.string(), z.union([z.string(), z.number(), z.boolean()]))
      .meta({ description: "Non-secret facts: a reason class (`reason`), a factor kind (`factor`), a key id." }),
  })
  .meta({ id: "SecurityEvent" });

export const SecurityEventList = z
  .object({
    events: z.array(SecurityEvent),
    next_cursor: z
      .string()
      .nullable()
      .meta({ description: "Pass as `cursor` for older events; null on the last page." }),
  })
  .meta({ id: "SecurityEventList" });
