// Who an authenticated request acts for. Today a person's session; API keys and organization-scoped
// sessions join the union later, so code that needs a person narrows on `kind` instead of reaching
// into a session everywhere.

import type { AccessTokenClaims } from "../crypto/access-token";
import type { Session, User } from "./model";

/** A signed-in person: the access token's claims, its live session (checked in D1) and its user. */
export interface UserSessionPrincipal {
  kind: "user_session";
  claims: AccessTokenClaims;
  session: Session;
  user: User;
}

export type Principal = UserSessionPrincipal;
