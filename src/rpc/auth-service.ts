// RPC for other Workers over a service binding: a thin façade over the services. Results are plain
// serializable objects; failures are typed codes, never thrown errors (only message/name survive RPC).

import { WorkerEntrypoint } from "cloudflare:workers";
import type { Bindings } from "../bindings";
import { getServiceContext } from "../context";
import type { AccessTokenClaims } from "../crypto/access-token";
import type { ErrorCode } from "../errors";
import { getUser as findUser, type PublicUser, toPublicUser } from "../services/profile-service";
import { revokeSessionById } from "../services/session-service";
import { introspectAccessToken, type TokenRejection } from "../services/token-verification";

export type VerifyTokenResult = { valid: true; claims: AccessTokenClaims } | { valid: false; code: TokenRejection };
export type GetUserResult = { found: true; user: PublicUser } | { found: false; code: ErrorCode };
export type RevokeSessionResult = { revoked: true } | { revoked: false; code: ErrorCode };

export class AuthService extends WorkerEntrypoint<Bindings> {
  /** Signature, claims and the revocation list: the same checks as POST /v1/token/verify. */
  async verifyToken(token: string): Promise<VerifyTokenResult> {
    if (typeof token !== "string") return { valid: false, code: "token_malformed" };
    const introspection = await introspectAccessToken(await getServiceContext(this.env), token);
    return introspection.active
      ? { valid: true, claims: introspection.claims }
      : { valid: false, code: introspection.rejection };
  }

  async getUser(id: string): Promise<GetUserResult> {
    if (typeof id !== "string" || id.length > 64) return { found: false, code: "user_not_found" };
    const result = await findUser(await getServiceContext(this.env), id);
    return result.ok ? { found: true, user: toPublicUser(result.value) } : { found: false, code: result.error.code };
  }

  async revokeSession(sessionId: string): Promise<RevokeSessionResult> {
    if (typeof sessionId !== "string" || sessionId.length > 64) return { revoked: false, code: "session_not_found" };
    const result = await revokeSessionById(await getServiceContext(this.env), sessionId);
    return result.ok ? { revoked: true } : { revoked: false, code: result.error.code };
  }
}
