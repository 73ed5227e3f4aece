// GET /v1/me/events in /openapi.json (src/routes/openapi.ts), with its query parameters.
import type { Operation } from "./openapi";
import "./security-event-schemas";

export const SECURITY_EVENT_OPERATIONS: Operation[] = [
  {
    method: "get",
    path: "/v1/me/events",
    summary:
      "The user's own security events, newest first (sign-ins, password and email changes, factors, sessions, keys); paged by `cursor` (`limit` 1..100, default 50); 400 `invalid_request` for a cursor this API did not issue",
    secured: true,
    parameters: [
      { name: "cursor", in: "query", required: false, schema: { type: "string", maxLength: 80 } },
      {
        name: "limit",
        in: "query",
        required: false,
        schema: { type: "integer", minimum: 1, maximum: 100, default: 50 },
      },
    ],
    responses: { 200: "SecurityEventList" },
  },
];
