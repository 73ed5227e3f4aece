// Scoping a session to an organization: POST /v1/session/org checks the active membership in the same
// statement that records the organization on the session, then answers an access token carrying
// `org`, `role` and `org_slug`. The session's refresh token carries on: each refresh re-reads the
// membership (org-claims.ts), so it keeps the organization only while the membership lasts.

import type { AccessTokenClaims } from "../crypto/access-token";
import { fail, type Result, succeed } from "../errors";
import { setSessionOrganization } from "../storage/org-membership-store";
import type { ServiceContext } from "./context";
import type { UserSessionPrincipal } from "./principal";
import { issueAccessToken } from "./token-issuer";

export interface ScopedAccessToken {
  accessToken: string;
  expiresIn: number;
  claims: AccessTokenClaims;
}

export async function switchOrganization(
  context: ServiceContext,
  caller: UserSessionPrincipal,
  organizationId: string,
): Promise<Result<ScopedAccessToken>> {
  const sessionId = caller.claims.sid;
  const set = await setSessionOrganization(context.db, sessionId, caller.user.id, organizationId);
  if (!set) return fail("org_not_found", { reason: "no active membership of a live organization" });
  const session = { id: sessionId, amr: JSON.stringify(caller.claims.amr), activeOrganizationId: organizationId };
  const { token, claims } = await issueAccessToken(context, caller.user, session);
  // The membership ended between the two statements: the token carries no organization; say so.
  if (claims.org !== organizationId) return fail("org_not_found", { reason: "membership ended meanwhile" });
  return succeed({ accessToken: token, expiresIn: context.config.accessTokenTtlSeconds, claims });
}
