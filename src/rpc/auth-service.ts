// RPC for other Workers over a service binding: a thin façade over the services. Results are plain
// serializable objects; failures are typed codes, never thrown errors (only message/name survive RPC).
// Callers are trusted Workers of the same account: a service binding is the only way to reach this.

import { WorkerEntrypoint } from "cloudflare:workers";
import type { Bindings } from "../bindings";
import type { AccessTokenClaims } from "../crypto/access-token";
import { type PublicApiKey, toPublicApiKey } from "../routes/api-key-views";
import { type PublicUser, toPublicUser } from "../routes/views";
import { disableAccount, enableAccount } from "../services/account-status-service";
import { authenticateApiKey } from "../services/api-key-auth";
import { findMembership } from "../services/org-membership-lookup";
import { getUser as findUser } from "../services/profile-service";
import { revokeSessionById } from "../services/session-service";
import { introspectAccessToken, type TokenRejection } from "../services/token-verification";
import type { UnexpectedFailureCode } from "../unexpected-error";
import {
  ADMIN_RPC_ACTIONS,
  type AdminDoneResult,
  type AdminGetUserResult,
  type AdminListUsersResult,
  type AdminMfaResetResult,
  type AdminSessionsEndedResult,
  type AdminSetOrgRoleResult,
  type AdminUserEventsResult,
  type AdminUserResult,
  getUserOverRpc,
  type IssueAdminKeyResult,
  issueAdminKeyOverRpc,
  listUserEventsOverRpc,
  listUsersOverRpc,
  type RpcAdminKeyInputType,
  type RpcEventPageInput,
  type RpcUserQueryInput,
  scopeOf,
} from "./admin-rpc";
import { answerRpc } from "./answer-rpc";
import { type ImportUsersResult, importUsersOverRpc, type RpcImportInputType } from "./import-rpc";

export type * from "./admin-rpc";

export type { AccessTokenClaims, PublicApiKey, PublicUser, TokenRejection };

/**
 * Any method may answer these instead of its own result: `service_unavailable` when edge-auth's
 * storage failed (may pass: retry later), `internal_error` when it is misconfigured or broken (its
 * log says why). Neither says anything about the token or id asked about.
 */
export type ServiceFailure = UnexpectedFailureCode;

export type VerifyTokenResult =
  | { valid: true; claims: AccessTokenClaims }
  | { valid: false; code: TokenRejection | ServiceFailure };
export type GetUserResult =
  | { found: true; user: PublicUser }
  | { found: false; code: "user_not_found" | ServiceFailure };
/** Revoking a session that is unknown or already revoked answers `session_not_found`. */
export type RevokeSessionResult = { revoked: true } | { revoked: false; code: "session_not_found" | ServiceFailure };

/** Disabling an unknown id answers `user_not_found`; `sessionsRevoked` counts the sessions it ended. */
export type DisableUserResult =
  | { disabled: true; sessionsRevoked: number }
  | { disabled: false; code: "user_not_found" | ServiceFailure };
export type EnableUserResult = { enabled: true } | { enabled: false; code: "user_not_found" | ServiceFailure };
/**
 * A usable key (not revoked, expired or past its roll's grace; its owner not disabled) and its owner;
 * unknown, dead and mistyped keys alike answer `invalid_api_key`; `rate_limited` past the key's limit.
 */
/** A key's owner: a user, or (for an organization's key, which acts for no person) an organization. */
export type VerifyApiKeyResult =
  | { valid: true; key: PublicApiKey; user: PublicUser; organization: null }
  | { valid: true; key: PublicApiKey; user: null; organization: { id: string; slug: string; name: string } }
  | { valid: false; code: "invalid_api_key" | "rate_limited" | ServiceFailure };

/** An active membership of a live organization; suspended, removed, deleted and unknown alike `member_not_found`. */
export type GetMembershipResult =
  | { found: true; membership: { orgId: string; orgSlug: string; userId: string; role: string; createdAt: number } }
  | { found: false; code: "member_not_found" | ServiceFailure };

/** Ids are UUIDs; anything far longer is refused before it reaches D1. */
const MAX_ID_LENGTH = 64;

const isId = (value: unknown): value is string => typeof value === "string" && value.length <= MAX_ID_LENGTH;

export class AuthService extends WorkerEntrypoint<Bindings> {
  /**
   * Signature, claims and the KV denylist: the same checks as POST /v1/token/verify. A revoked token is
   * refused at once in the isolate that revoked it and within about 65 s elsewhere (KV's ~60 s plus the
   * per-isolate DENYLIST_CACHE_TTL_SECONDS; docs/storage.md).
   */
  async verifyToken(token: string): Promise<VerifyTokenResult> {
    if (typeof token !== "string") return { valid: false, code: "token_malformed" };
    return answerRpc<VerifyTokenResult>(
      this.env,
      "verifyToken",
      (code) => ({ valid: false, code }),
      async (context) => {
        const introspection = await introspectAccessToken(context, token);
        return introspection.active
          ? { valid: true, claims: introspection.claims }
          : { valid: false, code: introspection.rejection };
      },
    );
  }

  /**
   * Checks an API key as a key-authenticated route does (one D1 read; counted against the key's rate
   * limit; `last_used_at` stamped after the answer, at most every 5 minutes). The caller checks `scopes`.
   */
  async verifyApiKey(key: string): Promise<VerifyApiKeyResult> {
    if (typeof key !== "string") return { valid: false, code: "invalid_api_key" };
    return answerRpc<VerifyApiKeyResult>(
      this.env,
      "verifyApiKey",
      (code) => ({ valid: false, code }),
      async (context) => {
        const result = await authenticateApiKey(context, key, { defer: (task) => this.ctx.waitUntil(task) });
        if (result.ok) {
          const { user, organization } = result.value;
          const publicKey = toPublicApiKey(result.value.key);
          if (user) return { valid: true, key: publicKey, user: toPublicUser(user), organization: null };
          return { valid: true, key: publicKey, user: null, organization };
        }
        return { valid: false, code: result.error.code === "rate_limited" ? "rate_limited" : "invalid_api_key" };
      },
    );
  }

  /** The public user (never the password hash); the only failure about the id is an unknown one. */
  async getUser(id: string): Promise<GetUserResult> {
    if (!isId(id)) return { found: false, code: "user_not_found" };
    return answerRpc<GetUserResult>(
      this.env,
      "getUser",
      (code) => ({ found: false, code }),
      async (context) => {
        const result = await findUser(context, id);
        return result.ok ? { found: true, user: toPublicUser(result.value) } : { found: false, code: "user_not_found" };
      },
    );
  }

  /** Ends a session by its id (the `sid` claim): refresh is refused at once, its access tokens are denylisted. */
  async revokeSession(sessionId: string): Promise<RevokeSessionResult> {
    if (!isId(sessionId)) return { revoked: false, code: "session_not_found" };
    return answerRpc<RevokeSessionResult>(
      this.env,
      "revokeSession",
      (code) => ({ revoked: false, code }),
      async (context) => {
        const result = await revokeSessionById(context, sessionId, { defer: (task) => this.ctx.waitUntil(task) });
        return result.ok ? { revoked: true } : { revoked: false, code: "session_not_found" };
      },
    );
  }

  /**
   * Disables the account: login answers like a wrong password, refresh and the HTTP API refuse it at
   * once, and its sessions are revoked and denylisted (other verifiers refuse within about 65 s).
   */
  async disableUser(id: string): Promise<DisableUserResult> {
    if (!isId(id)) return { disabled: false, code: "user_not_found" };
    return answerRpc<DisableUserResult>(
      this.env,
      "disableUser",
      (code) => ({ disabled: false, code }),
      async (context) => {
        const result = await disableAccount(context, id);
        return result.ok
          ? { disabled: true, sessionsRevoked: result.value.sessionsRevoked }
          : { disabled: false, code: "user_not_found" };
      },
    );
  }

  /** Lets a disabled account log in again; the sessions that disabling ended stay ended. */
  async enableUser(id: string): Promise<EnableUserResult> {
    if (!isId(id)) return { enabled: false, code: "user_not_found" };
    return answerRpc<EnableUserResult>(
      this.env,
      "enableUser",
      (code) => ({ enabled: false, code }),
      async (context) => {
        const result = await enableAccount(context, id);
        return result.ok ? { enabled: true } : { enabled: false, code: "user_not_found" };
      },
    );
  }

  // The admin API over RPC (src/rpc/admin-rpc.ts): the caller, holding the binding, is an operator.
  // Each answers `{ ok: true, … }` or `{ ok: false, code }` (`errors` for invalid_request).

  /** Mints an `admin` API key owned by `user_id` (the only way one is made); `api_key` is shown once. */
  issueAdminApiKey(input: RpcAdminKeyInputType): Promise<IssueAdminKeyResult> {
    return issueAdminKeyOverRpc(this.env, scopeOf(this.ctx), input);
  }

  /** GET /v1/admin/users: `{ email?, id?, created_after?, created_before?, cursor?, limit? }`. */
  adminListUsers(query: RpcUserQueryInput = {}): Promise<AdminListUsersResult> {
    return listUsersOverRpc(this.env, query);
  }

  /** The user with their live sessions, identities, factors and API keys (metadata only). */
  adminGetUser(id: string): Promise<AdminGetUserResult> {
    return getUserOverRpc(this.env, id);
  }

  /** The user's security events, newest first (a deleted user's too): `{ cursor?, limit? }`. */
  adminListUserEvents(id: string, page: RpcEventPageInput = {}): Promise<AdminUserEventsResult> {
    return listUserEventsOverRpc(this.env, id, page);
  }

  adminDisableUser(id: string): Promise<AdminSessionsEndedResult> {
    return ADMIN_RPC_ACTIONS.adminDisableUser(this.env, scopeOf(this.ctx), id);
  }

  adminEnableUser(id: string): Promise<AdminDoneResult> {
    return ADMIN_RPC_ACTIONS.adminEnableUser(this.env, scopeOf(this.ctx), id);
  }

  adminDeleteUser(id: string): Promise<AdminDoneResult> {
    return ADMIN_RPC_ACTIONS.adminDeleteUser(this.env, scopeOf(this.ctx), id);
  }

  adminRevokeSessions(id: string): Promise<AdminSessionsEndedResult> {
    return ADMIN_RPC_ACTIONS.adminRevokeSessions(this.env, scopeOf(this.ctx), id);
  }

  adminVerifyEmail(id: string): Promise<AdminUserResult> {
    return ADMIN_RPC_ACTIONS.adminVerifyEmail(this.env, scopeOf(this.ctx), id);
  }

  adminResetMfa(id: string): Promise<AdminMfaResetResult> {
    return ADMIN_RPC_ACTIONS.adminResetMfa(this.env, scopeOf(this.ctx), id);
  }

  /** Sets the user's role in an organization they belong to (never demoting its last owner). */
  adminSetOrgRole(id: string, orgId: string, role: string): Promise<AdminSetOrgRoleResult> {
    return ADMIN_RPC_ACTIONS.adminSetOrgRole(this.env, scopeOf(this.ctx), id, orgId, role);
  }

  /** Imports up to 500 users from an old server (the import/export contract); one result per row. */
  importUsers(input: RpcImportInputType): Promise<ImportUsersResult> {
    return importUsersOverRpc(this.env, scopeOf(this.ctx), input);
  }

  /** The user's active membership of a live organization, with its role (the same check tokens get). */
  async getMembership(userId: string, orgId: string): Promise<GetMembershipResult> {
    if (!isId(userId) || !isId(orgId)) return { found: false, code: "member_not_found" };
    return answerRpc<GetMembershipResult>(
      this.env,
      "getMembership",
      (code) => ({ found: false, code }),
      async (context) => {
        const membership = await findMembership(context, userId, orgId);
        return membership ? { found: true, membership } : { found: false, code: "member_not_found" };
      },
    );
  }
}
