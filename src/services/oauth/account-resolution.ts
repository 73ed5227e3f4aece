// Which local account an external identity signs in to, applying the linking rules (issue 12):
//   - a known identity signs in to the account it is linked to;
//   - otherwise the provider must assert a verified email (else oauth_email_unverified: sign in
//     another way and link explicitly); no account with it → a new, verified, password-less account;
//   - a verified local account with that email is linked implicitly (both sides verified);
//   - a never-verified local account is claimed: whatever a squatter set on it (password, username,
//     factors, codes, sessions) is discarded in the same batch that verifies it and attaches the
//     identity (pre-account takeover, Sudhodanan & Paverd 2022).
// The writes are done here; the caller opens the session or issues the sign-in code, with
// `alongside` (the identity's last-seen update) in that same batch.

import { generateId } from "../../crypto/random";
import { fail, type Result, succeed } from "../../errors";
import { type PendingWrite, uniqueViolation } from "../../storage/database";
import {
  claimUnprovenAccount,
  findIdentityWithUser,
  insertingIdentity,
  type NewIdentity,
  touchingIdentity,
} from "../../storage/oauth-identity-store";
import type { UserRow } from "../../storage/schema";
import { findUserByEmail, findUserById, insertingUser } from "../../storage/user-store";
import type { RequestScope, ServiceContext } from "../context";
import { isDisabled } from "../model";
import { newUserRow } from "../registration";
import { recordSecurityEvent } from "../security-events";
import { denySessionTokens } from "../session-service";
import type { ExternalIdentity } from "./external-identity";

/** RFC 8176 has no value for "a federated identity provider"; Entra's own `fed` is used. */
export const SOCIAL_AMR = ["fed"];

export interface ResolvedAccount {
  user: UserRow;
  /** True when this sign-in created the account (Bookings answers 201 then). */
  created: boolean;
  /** Writes for the caller's own batch (the known identity's last-seen update). */
  alongside: PendingWrite[];
}

function identityRow(context: ServiceContext, userId: string, identity: ExternalIdentity): NewIdentity {
  const now = context.now();
  return {
    id: generateId(),
    userId,
    provider: identity.provider,
    subject: identity.subject,
    email: identity.email,
    emailVerified: identity.emailVerified,
    createdAt: now,
    lastUsedAt: now,
  };
}

const disabled = () => fail("invalid_credentials", { reason: "social sign-in to a disabled account" });

async function resolveOnce(
  context: ServiceContext,
  identity: ExternalIdentity,
  scope: RequestScope,
): Promise<Result<ResolvedAccount>> {
  // A known identity and its user in one round trip (a returning person's sign-in, the common case).
  const found = await findIdentityWithUser(context.db, identity.provider, identity.subject);
  if (found) {
    const { identity: known, user } = found;
    if (!user || isDisabled(user)) return disabled();
    const seen = { email: identity.email, emailVerified: identity.emailVerified, now: context.now() };
    return succeed({ user, created: false, alongside: [touchingIdentity(context.db, known.id, seen)] });
  }
  if (!identity.email || !identity.emailVerified) {
    return fail("oauth_email_unverified", { reason: `${identity.provider} asserted no verified email` });
  }
  const local = await findUserByEmail(context.db, identity.email);
  if (!local) {
    const user = {
      ...newUserRow(context, { email: identity.email, username: null, passwordHash: null, profile: {} }),
      emailVerified: true,
    };
    await context.db.batch([
      insertingUser(context.db, user),
      insertingIdentity(context.db, identityRow(context, user.id, identity)),
    ]);
    linked(context, scope, user.id, identity, "new_account");
    return succeed({ user, created: true, alongside: [] });
  }
  if (isDisabled(local)) return disabled();
  if (local.emailVerified) {
    await context.db.batch([insertingIdentity(context.db, identityRow(context, local.id, identity))]);
    linked(context, scope, local.id, identity, "verified_email");
    return succeed({ user: local, created: false, alongside: [] });
  }
  const claimed = await claimUnprovenAccount(
    context.db,
    local.id,
    identityRow(context, local.id, identity),
    context.now(),
  );
  await denySessionTokens(context, [...claimed.revokedSessionIds, ...claimed.revokedKeyIds]);
  linked(context, scope, local.id, identity, claimed.verified ? "unproven_account_claimed" : "verified_email");
  const user = await findUserById(context.db, local.id);
  return user ? succeed({ user, created: false, alongside: [] }) : disabled();
}

function linked(
  context: ServiceContext,
  scope: RequestScope,
  userId: string,
  identity: ExternalIdentity,
  reason: string,
) {
  recordSecurityEvent(context, scope, {
    type: "identity_linked",
    subjectUserId: userId,
    actorUserId: userId,
    detail: { provider: identity.provider, reason },
  });
}

/**
 * Resolves (and, where the rules allow, creates or links) the account for `identity`. A parallel
 * sign-in that wrote first (same identity, same new address) makes this one's batch fail on a unique
 * index with nothing written; it is then resolved again, and finds what the other wrote.
 */
export async function resolveAccount(
  context: ServiceContext,
  identity: ExternalIdentity,
  scope: RequestScope,
): Promise<Result<ResolvedAccount>> {
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await resolveOnce(context, identity, scope);
    } catch (error) {
      const violated = uniqueViolation(error);
      if (!violated || attempt > 0) {
        if (violated) return fail("oauth_identity_taken", { reason: `raced twice on ${violated}` });
        throw error;
      }
    }
  }
}
