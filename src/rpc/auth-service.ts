// RPC for other Workers over a service binding: a thin façade over the services. Results are plain
// serializable objects; failures are typed codes, never thrown errors (only message/name survive RPC).
// Callers are trusted Workers of the same account: a service binding is the only way to reach this.

import { WorkerEntrypoint } from "cloudflare:workers";
import type { Bindings } from "../bindings";
import { getServiceContext } from "../context";
import type { AccessTokenClaims } from "../crypto/access-token";
import { disableAccount, enableAccount } from "../services/account-status-service";
import { getUser as findUser, type PublicUser, toPublicUser } from "../services/profile-service";
import { revokeSessionById } from "../services/session-service";
import { introspectAccessToken, type TokenRejection } from "../services/token-verification";

export type { AccessTokenClaims, PublicUser, TokenRejection };

export type VerifyTokenResult = { valid: true; claims: AccessTokenClaims } | { valid: false; code: TokenRejection };
export type GetUserResult = { found: true; user: PublicUser } | { found: false; code: "user_not_found" };
/** Revoking a session that is unknown or already revoked answers `session_not_found`. */
export type RevokeSessionResult = { revoked: true } | { revoked: false; code: "session_not_found" };

/** Disabling an unknown id answers `user_not_found`; `sessionsRevoked` counts the sessions it ended. */
export type DisableUserResult =
  | { disabled: true; sessionsRevoked: number }
  | { disabled: false; code: "user_not_found" };
export type EnableUserResult = { enabled: true } | { enabled: false; code: "user_not_found" };

/** Ids are UUIDs; anything far longer is refused before it reaches D1. */
const MAX_ID_LENGTH = 64;

export class AuthService extends WorkerEntrypoint<Bindings> {
  /**
   * Signature, claims and the KV denylist: the same checks as POST /v1/token/verify. A revoked token is
   * refused at once where it was revoked and within about 60 s elsewhere (KV is eventually consistent).
   */
  async verifyToken(token: string): Promise<VerifyTokenResult> {
    if (typeof token !== "string") return { valid: false, code: "token_malformed" };
    const introspection = await introspectAccessToken(await getServiceContext(this.env), token);
    return introspection.active
      ? { valid: true, claims: introspection.claims }
      : { valid: false, code: introspection.rejection };
  }

  /** The public user (never the password hash); the only failure is an unknown id. */
  async getUser(id: string): Promise<GetUserResult> {
    if (typeof id !== "string" || id.length > MAX_ID_LENGTH) return { found: false, code: "user_not_found" };
    const result = await findUser(await getServiceContext(this.env), id);
    return result.ok ? { found: true, user: toPublicUser(result.value) } : { found: false, code: "user_not_found" };
  }

  /** Ends a session by its id (the `sid` claim): refresh is refused at once, its access tokens are denylisted. */
  async revokeSession(sessionId: string): Promise<RevokeSessionResult> {
    if (typeof sessionId !== "string" || sessionId.length > MAX_ID_LENGTH) {
      return { revoked: false, code: "session_not_found" };
    }
    const result = await revokeSessionById(await getServiceContext(this.env), sessionId);
    return result.ok ? { revoked: true } : { revoked: false, code: "session_not_found" };
  }

  /**
   * Disables the account: login answers like a wrong password, refresh and the HTTP API refuse it at
   * once, and its sessions are revoked and denylisted (other verifiers refuse within about 60 s).
   */
  async disableUser(id: string): Promise<DisableUserResult> {
    if (typeof id !== "string" || id.length > MAX_ID_LENGTH) return { disabled: false, code: "user_not_found" };
    const result = await disableAccount(await getServiceContext(this.env), id);
    return result.ok
      ? { disabled: true, sessionsRevoked: result.value.sessionsRevoked }
      : { disabled: false, code: "user_not_found" };
  }

  /** Lets a disabled account log in again; the sessions that disabling ended stay ended. */
  async enableUser(id: string): Promise<EnableUserResult> {
    if (typeof id !== "string" || id.length > MAX_ID_LENGTH) return { enabled: false, code: "user_not_found" };
    const result = await enableAccount(await getServiceContext(this.env), id);
    return result.ok ? { enabled: true } : { enabled: false, code: "user_not_found" };
  }
}
