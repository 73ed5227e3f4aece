// The admin API (/v1/admin/…): search users, read one with its sessions, identities and factors, and
// act on an account (disable, enable, delete, end its sessions, verify its email, reset its second
// factors). Only an `admin` API key gets in (admin-auth.ts); each action is a security event.

import { type Context, Hono } from "hono";
import type * as z from "zod";
import { AppError, type Result } from "../errors";
import {
  adminDeleteUser,
  adminDisableUser,
  adminEnableUser,
  adminResetMfa,
  adminRevokeSessions,
  adminVerifyEmail,
} from "../services/admin-actions";
import { adminSetOrgRole } from "../services/admin-org-role";
import { getUserDetail, listUsers } from "../services/admin-user-service";
import { listSecurityEvents } from "../services/security-events";
import { adminActorOf, requireAdminKey } from "./admin-auth";
import { AdminActionBody, AdminOrgRoleBody, AdminUserIdParam, AdminUserQuery } from "./admin-schemas";
import { toAdminUser, toAdminUserDetail, toMfaResetView } from "./admin-views";
import type { AppEnv } from "./http/app-env";
import { readBody, toFieldIssues } from "./http/body";
import { requestScope } from "./http/request-scope";
import { SecurityEventsQuery } from "./security-event-schemas";
import { toPublicSecurityEvent } from "./security-event-views";

const NO_STORE = { "Cache-Control": "no-store" };
const USER = "/v1/admin/users/:id";

/** A malformed id names no user: the same 404 as an unknown one. */
function userIdOf(c: Context<AppEnv>): string {
  const parsed = AdminUserIdParam.safeParse(c.req.param());
  if (!parsed.success) throw new AppError({ code: "user_not_found", reason: "malformed user id" });
  return parsed.data.id;
}

/** The query string, one value per name (a repeated name is refused), validated by `schema`. */
function queryOf<S extends z.ZodType>(c: Context<AppEnv>, schema: S): z.output<S> {
  const fields = new Map<string, string>();
  for (const [name, values] of Object.entries(c.req.queries())) {
    if (values.length > 1)
      throw new AppError({ code: "invalid_request", issues: [{ field: name, message: "is repeated" }] });
    fields.set(name, values[0] ?? "");
  }
  const parsed = schema.safeParse(Object.fromEntries(fields));
  if (!parsed.success) throw new AppError({ code: "invalid_request", issues: toFieldIssues(parsed.error) });
  return parsed.data;
}

const orThrow = <T>(result: Result<T>): T => {
  if (!result.ok) throw new AppError(result.error);
  return result.value;
};

export const adminRoutes = new Hono<AppEnv>();

// Only for the methods each path serves: a wrong method must answer 405 (app.ts), not 401.
adminRoutes.get("/v1/admin/users", requireAdminKey);
adminRoutes.on(["GET", "DELETE"], USER, requireAdminKey);
adminRoutes.get(`${USER}/events`, requireAdminKey);
for (const action of ["disable", "enable", "sessions/revoke", "verify-email", "mfa/reset"]) {
  adminRoutes.post(`${USER}/${action}`, requireAdminKey);
}
adminRoutes.post(`${USER}/orgs/:orgId/role`, requireAdminKey);

adminRoutes.get("/v1/admin/users", async (c) => {
  const query = queryOf(c, AdminUserQuery);
  const page = orThrow(
    await listUsers(c.get("services"), {
      ...(query.email === undefined ? {} : { email: query.email }),
      ...(query.id === undefined ? {} : { id: query.id }),
      ...(query.created_after === undefined ? {} : { createdAfter: query.created_after }),
      ...(query.created_before === undefined ? {} : { createdBefore: query.created_before }),
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
      ...(query.limit === undefined ? {} : { limit: query.limit }),
    }),
  );
  return c.json({ users: page.users.map(toAdminUser), next_cursor: page.nextCursor }, 200, NO_STORE);
});

adminRoutes.get(USER, async (c) => {
  const detail = orThrow(await getUserDetail(c.get("services"), userIdOf(c)));
  return c.json(toAdminUserDetail(detail), 200, NO_STORE);
});

adminRoutes.delete(USER, async (c) => {
  const id = userIdOf(c);
  orThrow(await adminDeleteUser(c.get("services"), adminActorOf(c.get("apiKey")), id, requestScope(c)));
  return c.body(null, 204);
});

adminRoutes.post(`${USER}/disable`, async (c) => {
  const id = userIdOf(c);
  await readBody(c, AdminActionBody, true);
  const result = orThrow(await adminDisableUser(c.get("services"), adminActorOf(c.get("apiKey")), id, requestScope(c)));
  return c.json({ sessions_revoked: result.sessionsRevoked }, 200, NO_STORE);
});

adminRoutes.post(`${USER}/enable`, async (c) => {
  const id = userIdOf(c);
  await readBody(c, AdminActionBody, true);
  orThrow(await adminEnableUser(c.get("services"), adminActorOf(c.get("apiKey")), id, requestScope(c)));
  return c.body(null, 204);
});

adminRoutes.post(`${USER}/sessions/revoke`, async (c) => {
  const id = userIdOf(c);
  await readBody(c, AdminActionBody, true);
  const result = orThrow(
    await adminRevokeSessions(c.get("services"), adminActorOf(c.get("apiKey")), id, requestScope(c)),
  );
  return c.json({ sessions_revoked: result.sessionsRevoked }, 200, NO_STORE);
});

adminRoutes.post(`${USER}/verify-email`, async (c) => {
  const id = userIdOf(c);
  await readBody(c, AdminActionBody, true);
  const user = orThrow(await adminVerifyEmail(c.get("services"), adminActorOf(c.get("apiKey")), id, requestScope(c)));
  return c.json(toAdminUser(user), 200, NO_STORE);
});

adminRoutes.post(`${USER}/mfa/reset`, async (c) => {
  const id = userIdOf(c);
  await readBody(c, AdminActionBody, true);
  const reset = orThrow(await adminResetMfa(c.get("services"), adminActorOf(c.get("apiKey")), id, requestScope(c)));
  return c.json(toMfaResetView(reset), 200, NO_STORE);
});

/** Any user id's events, a deleted account's too (they outlive it until the retention period ends). */
adminRoutes.get(`${USER}/events`, async (c) => {
  const id = userIdOf(c);
  const { cursor, limit } = queryOf(c, SecurityEventsQuery);
  const page = orThrow(
    await listSecurityEvents(c.get("services"), {
      subjectUserId: id,
      ...(cursor === undefined ? {} : { cursor }),
      ...(limit === undefined ? {} : { limit }),
    }),
  );
  return c.json({ events: page.events.map(toPublicSecurityEvent), next_cursor: page.nextCursor }, 200, NO_STORE);
});

adminRoutes.post(`${USER}/orgs/:orgId/role`, async (c) => {
  const id = userIdOf(c);
  const organizationId = c.req.param("orgId");
  const { role } = await readBody(c, AdminOrgRoleBody);
  const target = { userId: id, organizationId, role };
  const membership = orThrow(
    await adminSetOrgRole(c.get("services"), adminActorOf(c.get("apiKey")), target, requestScope(c)),
  );
  const { organizationId: organization_id, userId: user_id, status } = membership;
  return c.json({ organization_id, user_id, role: membership.role, status }, 200, NO_STORE);
});
