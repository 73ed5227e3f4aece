// The bodies of AuthService's admin methods (src/rpc/auth-service.ts keeps one line each): input
// checked, the admin services run as RPC_ADMIN, answers in the HTTP admin API's snake_case shapes.

import type { Bindings } from "../bindings";
import { type AdminUserDetailView, type AdminUserView, toMfaResetView } from "../routes/admin-views";
import { type PublicApiKey, toPublicApiKey } from "../routes/api-key-views";
import { type PublicSecurityEvent, toPublicSecurityEvent } from "../routes/security-event-views";
import {
  adminDeleteUser,
  adminDisableUser,
  adminEnableUser,
  adminResetMfa,
  adminRevokeSessions,
  adminVerifyEmail,
} from "../services/admin-actions";
import { issueAdminApiKey } from "../services/admin-keys";
import { adminSetOrgRole } from "../services/admin-org-role";
import { getUserDetail, listUsers } from "../services/admin-user-service";
import type { RequestScope } from "../services/context";
import { isOrgRole, type OrgRole } from "../services/org-permissions";
import { listSecurityEvents } from "../services/security-events";
import {
  type AdminRpcResult,
  isUserId,
  parseRpcInput,
  RPC_ADMIN,
  RpcAdminKeyInput,
  type RpcAdminKeyInputType,
  RpcEventPage,
  type RpcEventPageInput,
  RpcUserQuery,
  type RpcUserQueryInput,
  runAdmin,
  toAdminUser,
  toAdminUserDetail,
} from "./admin-methods";

export type { RpcAdminKeyInputType, RpcEventPageInput, RpcUserQueryInput };
export type IssueAdminKeyResult = AdminRpcResult<
  { key: PublicApiKey; api_key: string },
  "invalid_request" | "user_not_found" | "too_many_api_keys"
>;
export type AdminListUsersResult = AdminRpcResult<
  { users: AdminUserView[]; next_cursor: string | null },
  "invalid_request"
>;
export type AdminGetUserResult = AdminRpcResult<AdminUserDetailView, "user_not_found">;
export type AdminSessionsEndedResult = AdminRpcResult<{ sessions_revoked: number }, "user_not_found">;
export type AdminDoneResult = AdminRpcResult<Record<never, never>, "user_not_found">;
export type AdminUserResult = AdminRpcResult<{ user: AdminUserView }, "user_not_found">;
export type AdminUserEventsResult = AdminRpcResult<
  { events: PublicSecurityEvent[]; next_cursor: string | null },
  "invalid_request"
>;
export type AdminSetOrgRoleResult = AdminRpcResult<
  { membership: { organization_id: string; user_id: string; role: OrgRole; status: string } },
  "invalid_request" | "user_not_found" | "org_not_found" | "member_not_found" | "last_owner"
>;
export type AdminMfaResetResult = AdminRpcResult<ReturnType<typeof toMfaResetView>, "user_not_found">;

/** Security events are written after the answer, like a route's (a module function: not an RPC method). */
export function scopeOf(ctx: ExecutionContext): RequestScope {
  return { defer: (task) => ctx.waitUntil(task) };
}

const NOT_FOUND = ["user_not_found"] as const;
const ORG_ROLE_CODES = ["user_not_found", "org_not_found", "member_not_found", "last_owner"] as const;
const unknownUser = { ok: false, code: "user_not_found" } as const;
const done = () => ({});

export function issueAdminKeyOverRpc(env: Bindings, scope: RequestScope, input: unknown): Promise<IssueAdminKeyResult> {
  const parsed = parseRpcInput(RpcAdminKeyInput, input);
  if (!parsed.ok) return Promise.resolve(parsed);
  const { user_id, name, expires_in } = parsed.value;
  const keyInput = { userId: user_id, name, ...(expires_in === undefined ? {} : { expiresInSeconds: expires_in }) };
  return runAdmin(
    env,
    "issueAdminApiKey",
    ["user_not_found", "too_many_api_keys"] as const,
    (context) => issueAdminApiKey(context, RPC_ADMIN, keyInput, scope),
    (issued) => ({ key: toPublicApiKey(issued.key), api_key: issued.secret }),
  );
}

export function listUsersOverRpc(env: Bindings, query: unknown): Promise<AdminListUsersResult> {
  const parsed = parseRpcInput(RpcUserQuery, query);
  if (!parsed.ok) return Promise.resolve(parsed);
  const { email, id, created_after, created_before, cursor, limit } = parsed.value;
  const userQuery = {
    ...(email === undefined ? {} : { email }),
    ...(id === undefined ? {} : { id }),
    ...(created_after === undefined ? {} : { createdAfter: created_after }),
    ...(created_before === undefined ? {} : { createdBefore: created_before }),
    ...(cursor === undefined ? {} : { cursor }),
    ...(limit === undefined ? {} : { limit }),
  };
  return runAdmin(
    env,
    "adminListUsers",
    ["invalid_request"] as const,
    (context) => listUsers(context, userQuery),
    (page) => ({ users: page.users.map(toAdminUser), next_cursor: page.nextCursor }),
  );
}

export function getUserOverRpc(env: Bindings, id: unknown): Promise<AdminGetUserResult> {
  if (!isUserId(id)) return Promise.resolve(unknownUser);
  return runAdmin(env, "adminGetUser", NOT_FOUND, (context) => getUserDetail(context, id), toAdminUserDetail);
}

/** A user's security events (a deleted user's too), newest first: `{ cursor?, limit? }` (1–100). */
export function listUserEventsOverRpc(env: Bindings, id: unknown, page: unknown): Promise<AdminUserEventsResult> {
  if (!isUserId(id)) return Promise.resolve({ ok: true, events: [], next_cursor: null });
  const parsed = parseRpcInput(RpcEventPage, page);
  if (!parsed.ok) return Promise.resolve(parsed);
  const { cursor, limit } = parsed.value;
  const query = {
    subjectUserId: id,
    ...(cursor === undefined ? {} : { cursor }),
    ...(limit === undefined ? {} : { limit }),
  };
  return runAdmin(
    env,
    "adminListUserEvents",
    ["invalid_request"] as const,
    (context) => listSecurityEvents(context, query),
    (result) => ({ events: result.events.map(toPublicSecurityEvent), next_cursor: result.nextCursor }),
  );
}

/** The account actions, by name: each takes the user id alone. */
export const ADMIN_RPC_ACTIONS = {
  adminDisableUser: (env: Bindings, scope: RequestScope, id: unknown): Promise<AdminSessionsEndedResult> =>
    isUserId(id)
      ? runAdmin(
          env,
          "adminDisableUser",
          NOT_FOUND,
          (context) => adminDisableUser(context, RPC_ADMIN, id, scope),
          (value) => ({ sessions_revoked: value.sessionsRevoked }),
        )
      : Promise.resolve(unknownUser),
  adminEnableUser: (env: Bindings, scope: RequestScope, id: unknown): Promise<AdminDoneResult> =>
    isUserId(id)
      ? runAdmin(env, "adminEnableUser", NOT_FOUND, (context) => adminEnableUser(context, RPC_ADMIN, id, scope), done)
      : Promise.resolve(unknownUser),
  adminDeleteUser: (env: Bindings, scope: RequestScope, id: unknown): Promise<AdminDoneResult> =>
    isUserId(id)
      ? runAdmin(env, "adminDeleteUser", NOT_FOUND, (context) => adminDeleteUser(context, RPC_ADMIN, id, scope), done)
      : Promise.resolve(unknownUser),
  adminRevokeSessions: (env: Bindings, scope: RequestScope, id: unknown): Promise<AdminSessionsEndedResult> =>
    isUserId(id)
      ? runAdmin(
          env,
          "adminRevokeSessions",
          NOT_FOUND,
          (context) => adminRevokeSessions(context, RPC_ADMIN, id, scope),
          (value) => ({ sessions_revoked: value.sessionsRevoked }),
        )
      : Promise.resolve(unknownUser),
  adminVerifyEmail: (env: Bindings, scope: RequestScope, id: unknown): Promise<AdminUserResult> =>
    isUserId(id)
      ? runAdmin(
          env,
          "adminVerifyEmail",
          NOT_FOUND,
          (context) => adminVerifyEmail(context, RPC_ADMIN, id, scope),
          (user) => ({ user: toAdminUser(user) }),
        )
      : Promise.resolve(unknownUser),
  adminSetOrgRole: (
    env: Bindings,
    scope: RequestScope,
    id: unknown,
    orgId: unknown,
    role: unknown,
  ): Promise<AdminSetOrgRoleResult> =>
    isUserId(id) && isUserId(orgId) && isOrgRole(role)
      ? runAdmin(
          env,
          "adminSetOrgRole",
          ORG_ROLE_CODES,
          (context) => adminSetOrgRole(context, RPC_ADMIN, { userId: id, organizationId: orgId, role }, scope),
          (row) => ({
            membership: {
              organization_id: row.organizationId,
              user_id: row.userId,
              role: row.role,
              status: row.status,
            },
          }),
        )
      : Promise.resolve({ ok: false, code: "invalid_request" }),
  adminResetMfa: (env: Bindings, scope: RequestScope, id: unknown): Promise<AdminMfaResetResult> =>
    isUserId(id)
      ? runAdmin(
          env,
          "adminResetMfa",
          NOT_FOUND,
          (context) => adminResetMfa(context, RPC_ADMIN, id, scope),
          toMfaResetView,
        )
      : Promise.resolve(unknownUser),
};
