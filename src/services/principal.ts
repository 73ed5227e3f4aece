// Who an authenticated request acts for. Today a person's session; API keys and organization-scoped
// sessions join the union later, so code that needs a person asks for one (`personOf`) instead of
// reaching into a session everywhere.

import type { AccessTokenClaims } from "../crypto/access-token";
import { fail, type Result, succeed } from "../errors";
import type { Session, User } from "./model";

/** A signed-in person: the access token's claims, its live session (checked in D1) and its user. */
export interface UserSessionPrincipal {
  kind: "user_session";
  claims: AccessTokenClaims;
  session: Session;
  user: User;
}

export type Principal = UserSessionPrincipal;

/** The person behind a principal, for operations only a person may perform on their own account. */
export function personOf(principal: Principal): Result<UserSessionPrincipal> {
  return principal.kind === "user_session" ? succeed(principal) : fail("invalid_token", { reason: "not a person" });
}
