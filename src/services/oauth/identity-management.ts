// A signed-in person's external identities (issue 12, account management): list them, link one
// explicitly (after re-authentication: the password, or for a password-less account a sign-in in
// the last five minutes), unlink one (never the last way to sign in). An identity linked to another
// account is never moved: oauth_identity_taken. An account whose address is not verified links
// nothing: it may be a squatter's, whose own provider account would then sign in to the owner's.

import { generateId } from "../../crypto/random";
import { fail, type Result, succeed } from "../../errors";
import { uniqueViolation } from "../../storage/database";
import {
  findIdentity,
  identitiesOfSessionUser,
  insertingIdentity,
  listIdentities,
  unlinkIdentityUnlessLast,
} from "../../storage/oauth-identity-store";
import type { IdentityRow } from "../../storage/schema";
import type { ClientInfo, RequestScope, ServiceContext } from "../context";
import type { Identity } from "../model";
import type { UserSessionPrincipal } from "../principal";
import { reauthenticate } from "../reauthentication";
import { recordSecurityEvent } from "../security-events";
import { authenticateCallerWith } from "../token-verification";
import { identityOfCredential, type ProviderCredential } from "./credential-exchange";
import { findProvider } from "./providers";

const toIdentity = (row: IdentityRow): Identity => ({ ...row });

export async function listOwnIdentities(context: ServiceContext, principal: UserSessionPrincipal): Promise<Identity[]> {
  return (await listIdentities(context.db, principal.user.id)).map(toIdentity);
}

/** The caller of `token` and their identities, read in the session check's own D1 round trip (GET /v1/me). */
export async function authenticateWithIdentities(
  context: ServiceContext,
  token: string,
): Promise<Result<{ caller: UserSessionPrincipal; identities: Identity[] }>> {
  const result = await authenticateCallerWith(context, token, identitiesOfSessionUser(context.db));
  if (!result.ok) return result;
  return succeed({ caller: result.value.caller, identities: result.value.rows.map(toIdentity) });
}

/** A linked identity, and whether this call linked it (false: it was this account's already). */
export interface Linked {
  identity: Identity;
  created: boolean;
}

export async function linkIdentity(
  context: ServiceContext,
  principal: UserSessionPrincipal,
  request: { provider: string; credential: ProviderCredential; password?: string },
  client: ClientInfo,
  scope: RequestScope,
): Promise<Result<Linked>> {
  const found = findProvider(context, request.provider);
  if (!found.ok) return found;
  if (!principal.user.emailVerified) return fail("email_not_verified", { reason: "link_identity unverified" });
  const reauthenticated = await reauthenticate(context, client, principal, request.password, "link_identity");
  if (!reauthenticated.ok) return reauthenticated;
  const identity = await identityOfCredential(context, found.value, request.credential);
  if (!identity.ok) return identity;
  const userId = principal.user.id;
  const existing = await findIdentity(context.db, identity.value.provider, identity.value.subject);
  if (existing && existing.userId !== userId)
    return fail("oauth_identity_taken", { reason: "linked to another account" });
  if (existing) return succeed({ identity: toIdentity(existing), created: false });
  const now = context.now();
  const row: IdentityRow = {
    id: generateId(),
    userId,
    provider: identity.value.provider,
    subject: identity.value.subject,
    email: identity.value.email,
    emailVerified: identity.value.emailVerified,
    createdAt: now,
    lastUsedAt: null,
  };
  try {
    await context.db.batch([insertingIdentity(context.db, row)]);
  } catch (error) {
    if (uniqueViolation(error)) return fail("oauth_identity_taken", { reason: "linked elsewhere meanwhile" });
    throw error;
  }
  recordSecurityEvent(context, scope, {
    type: "identity_linked",
    subjectUserId: userId,
    actorUserId: userId,
    detail: { provider: row.provider, reason: "explicit" },
  });
  return succeed({ identity: toIdentity(row), created: true });
}

export async function unlinkIdentity(
  context: ServiceContext,
  principal: UserSessionPrincipal,
  request: { provider: string; password?: string },
  client: ClientInfo,
  scope: RequestScope,
): Promise<Result<void>> {
  const userId = principal.user.id;
  const held = (await listIdentities(context.db, userId)).filter((row) => row.provider === request.provider);
  if (held.length === 0) return fail("oauth_identity_not_found", { reason: "no identity of that provider" });
  const reauthenticated = await reauthenticate(context, client, principal, request.password, "unlink_identity");
  if (!reauthenticated.ok) return reauthenticated;
  const { removed } = await unlinkIdentityUnlessLast(context.db, userId, request.provider);
  if (removed === 0) return fail("oauth_last_sign_in_method", { reason: "unlink would leave no way to sign in" });
  recordSecurityEvent(context, scope, {
    type: "identity_unlinked",
    subjectUserId: userId,
    actorUserId: userId,
    detail: { provider: request.provider, removed },
  });
  return succeed(undefined);
}
