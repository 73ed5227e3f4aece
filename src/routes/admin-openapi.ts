// The admin API in /openapi.json (src/routes/openapi.ts): every operation is authenticated by an API
// key holding `admin` (Bearer or X-API-Key), never by a person's session.
import { API_KEY_SECURITY } from "./api-key-openapi";
import type { Operation } from "./openapi";
import "./admin-schemas";

const query = (name: string, description: string, format?: string) => ({
  name,
  in: "query",
  required: false,
  description,
  schema: { type: name === "limit" ? "integer" : "string", ...(format ? { format } : {}) },
});

const ADMIN_ERRORS = { 401: "Problem", 403: "Problem", 404: "Problem" };

const action = (path: string, summary: string, ok: string | null): Operation => ({
  method: "post",
  path: `/v1/admin/users/{id}/${path}`,
  summary,
  body: "AdminActionRequest?",
  security: API_KEY_SECURITY,
  responses: { [ok === null ? 204 : 200]: ok, ...ADMIN_ERRORS },
});

export const ADMIN_OPERATIONS: Operation[] = [
  {
    method: "get",
    path: "/v1/admin/users",
    summary: "Search users (exact email, id, created range), newest first, paged by `cursor` (admin key)",
    security: API_KEY_SECURITY,
    parameters: [
      query("email", "Exact address, normalized as sign-up does (NFKC, lower case).", "email"),
      query("id", "Exact user id."),
      query("created_after", "RFC 3339 time: only users created after it.", "date-time"),
      query("created_before", "RFC 3339 time: only users created before it.", "date-time"),
      query("cursor", "`next_cursor` of the previous page (opaque)."),
      query("limit", "Users per page, 1–100 (default 50)."),
    ],
    responses: { 200: "AdminUserList", 401: "Problem", 403: "Problem" },
  },
  {
    method: "get",
    path: "/v1/admin/users/{id}",
    summary: "One user with their live sessions, identities, second factors and API keys (metadata only)",
    security: API_KEY_SECURITY,
    responses: { 200: "AdminUserDetail", ...ADMIN_ERRORS },
  },
  {
    method: "delete",
    path: "/v1/admin/users/{id}",
    summary: "Delete the user and everything of theirs; their access tokens are denylisted",
    security: API_KEY_SECURITY,
    responses: { 204: null, ...ADMIN_ERRORS },
  },
  {
    method: "get",
    path: "/v1/admin/users/{id}/events",
    summary: "The user's security events, newest first, paged by `cursor` (a deleted user's too, until retention)",
    security: API_KEY_SECURITY,
    parameters: [
      query("cursor", "`next_cursor` of the previous page (opaque)."),
      query("limit", "1–100 (default 50)."),
    ],
    responses: { 200: "SecurityEventList", 401: "Problem", 403: "Problem" },
  },
  action("disable", "Disable the account: login refused, every session ended and denylisted", "AdminSessionsEnded"),
  action("enable", "Let a disabled account log in again (ended sessions stay ended)", null),
  action("sessions/revoke", "End every session of the user; their access tokens are denylisted", "AdminSessionsEnded"),
  action("verify-email", "Mark the user's current email address verified", "AdminUser"),
  action("mfa/reset", "Remove TOTP, recovery codes and SMS sign-in; pending MFA logins end", "AdminMfaReset"),
  {
    method: "post",
    path: "/v1/admin/users/{id}/orgs/{orgId}/role",
    summary: "Set the user's role in an organization they belong to (never demoting its last owner)",
    security: API_KEY_SECURITY,
    body: "AdminOrgRoleRequest",
    responses: { 200: "AdminMembership", ...ADMIN_ERRORS, 409: "Problem" },
  },
];
