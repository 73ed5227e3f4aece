// The MFA challenge: what stands between a first factor (a password, a mailed link) and a session
// for an account with a second factor. No session row exists until the challenge is completed.
//
// Adding a method (SMS, say) is a few lines:
//   1. its name in MFA_METHODS, and a line in `availableMfaMethods` for users who have it on;
//   2. a `SecondFactor` — `{ method: "sms", amr: ["sms"], verify(context, userId) }` — whose
//      `verify` decides the code in D1 itself (count the attempt, consume) and returns a Result;
//   3. its route calls `completeMfaChallenge(context, mfaToken, factor, client)`.
// `findOpenMfaChallenge(context, mfaToken)` reads a challenge without counting an attempt (to send
// an SMS code for it, for instance).

import { generateId, generateOpaqueToken, sha256Base64Url } from "../crypto/random";
import { fail, type Result, succeed } from "../errors";
import type { PendingWrite } from "../storage/database";
import {
  consumeMfaChallenge,
  countMfaChallengeAttempt,
  findOpenMfaChallenge as findOpenChallengeRow,
  insertMfaChallenge,
} from "../storage/mfa-challenge-store";
import type { MfaChallengeRow, UserRow } from "../storage/schema";
import { hasConfirmedTotp } from "../storage/totp-store";
import { findUserById } from "../storage/user-store";
import type { ClientInfo, RequestScope, ServiceContext } from "./context";
import { recordedUserAgent } from "./input-limits";
import { parseStringList } from "./json-list";
import { isDisabled, toUser, type User } from "./model";
import { openSession } from "./session-opening";
import { recordSignInFailed, recordSignInSucceeded } from "./sign-in-events";
import type { IssuedTokens } from "./token-issuer";

export const MFA_METHODS = ["totp", "recovery_code", "sms"] as const;
export type MfaMethod = (typeof MFA_METHODS)[number];

/** Short: the person is at the keyboard, authenticator in hand. */
export const MFA_CHALLENGE_TTL_SECONDS = 300;
/** Guesses one challenge admits, whatever the method; then the login starts over (password again). */
export const MFA_CHALLENGE_MAX_ATTEMPTS = 5;
/** The token is 43 characters; anything much longer is not ours and is not hashed. */
const MAX_MFA_TOKEN_LENGTH = 128;

/** One submitted second factor, judged against the challenge's user. */
export interface SecondFactor {
  method: MfaMethod;
  /** RFC 8176 values a success adds to the session's `amr`. */
  amr: string[];
  /** Decides the code in D1 (attempts, replay, consumption); a Failure when refused. */
  verify(context: ServiceContext, userId: string): Promise<Result<void>>;
}

export type LoginOutcome =
  | { kind: "session"; user: User; tokens: IssuedTokens }
  | { kind: "mfa_required"; mfaToken: string; methods: MfaMethod[]; expiresIn: number };

/** The second factors this user can finish a login with; empty when the account has none. */
export async function availableMfaMethods(context: ServiceContext, user: UserRow): Promise<MfaMethod[]> {
  return mfaMethodsOf(user, await hasConfirmedTotp(context.db, user.id));
}

/** `availableMfaMethods` when the TOTP state is already known (read with the user, as a login does). */
export function mfaMethodsOf(user: UserRow, confirmedTotp: boolean): MfaMethod[] {
  const methods: MfaMethod[] = [];
  // Recovery codes exist only beside a confirmed TOTP factor (they are its backup).
  if (confirmedTotp) methods.push("totp", "recovery_code");
  // Texted codes, to a number that came back with its own code (a changed number turns this off).
  if (user.smsMfaEnabled && user.phoneVerified && user.phone) methods.push("sms");
  return methods;
}

/** What a caller of finishFirstFactor may already hold, to spare D1 round trips. */
export interface FirstFactorExtras {
  /** The user's TOTP state, read with the user; looked up when absent. */
  hasConfirmedTotp?: boolean;
  /** Writes to commit in the same batch as the session or the challenge (one round trip, all or nothing). */
  alongside?: PendingWrite[];
}

/** After a first factor has passed: a session, or an MFA challenge when the account has a second factor. */
export async function finishFirstFactor(
  context: ServiceContext,
  user: UserRow,
  client: ClientInfo,
  amr: string[],
  extras: FirstFactorExtras = {},
): Promise<LoginOutcome> {
  const { hasConfirmedTotp: known, alongside = [] } = extras;
  const methods = known === undefined ? await availableMfaMethods(context, user) : mfaMethodsOf(user, known);
  if (methods.length === 0) {
    return {
      kind: "session",
      user: toUser(user),
      tokens: await openSession(context, user, client, amr, { alongside }),
    };
  }
  const { mfaToken, expiresIn } = await createMfaChallenge(context, user, client, { methods, amr }, alongside);
  return { kind: "mfa_required", mfaToken, methods, expiresIn };
}

/**
 * Stores a challenge, with `alongside` in the same batch, and returns its token (256 random bits;
 * only its SHA-256 is stored).
 */
export async function createMfaChallenge(
  context: ServiceContext,
  user: UserRow,
  client: ClientInfo,
  pending: { methods: MfaMethod[]; amr: string[]; organizationId?: string | null },
  alongside: PendingWrite[] = [],
): Promise<{ mfaToken: string; expiresIn: number }> {
  const now = context.now();
  const mfaToken = generateOpaqueToken();
  const challenge = {
    id: generateId(),
    tokenHash: await sha256Base64Url(mfaToken),
    userId: user.id,
    methods: JSON.stringify(pending.methods),
    amr: JSON.stringify(pending.amr),
    rotatesRefreshToken: client.rotatesRefreshToken ?? true,
    userAgent: recordedUserAgent(client.userAgent),
    ip: client.ip,
    createdAt: now,
    expiresAt: now + MFA_CHALLENGE_TTL_SECONDS,
    organizationId: pending.organizationId ?? null,
  };
  await insertMfaChallenge(context.db, challenge, alongside);
  return { mfaToken, expiresIn: MFA_CHALLENGE_TTL_SECONDS };
}

/** The open challenge `mfaToken` names, or undefined; counts no attempt. */
export async function findOpenMfaChallenge(
  context: ServiceContext,
  mfaToken: string,
): Promise<MfaChallengeRow | undefined> {
  if (mfaToken.length > MAX_MFA_TOKEN_LENGTH) return undefined;
  return findOpenChallengeRow(context.db, await sha256Base64Url(mfaToken), context.now());
}

/**
 * Finishes a login with a second factor. The attempt is counted on the challenge before the code
 * is judged, so parallel guesses cannot pass the limit; the challenge is bound to the user whose
 * first factor created it, so another account's code never fits; completion is single-use.
 */
export async function completeMfaChallenge(
  context: ServiceContext,
  mfaToken: string,
  factor: SecondFactor,
  client: ClientInfo,
  scope?: RequestScope,
): Promise<Result<{ user: User; tokens: IssuedTokens }>> {
  if (mfaToken.length > MAX_MFA_TOKEN_LENGTH) return fail("invalid_mfa_token", { reason: "oversized token" });
  const challenge = await countMfaChallengeAttempt(context.db, {
    tokenHash: await sha256Base64Url(mfaToken),
    now: context.now(),
    maxAttempts: MFA_CHALLENGE_MAX_ATTEMPTS,
  });
  if (!challenge) return fail("invalid_mfa_token", { reason: "unknown, used, expired or out of attempts" });
  if (!parseStringList(challenge.methods).includes(factor.method)) {
    return fail("invalid_request", { issues: [{ field: "input", message: `${factor.method} is not offered here` }] });
  }
  const verified = await factor.verify(context, challenge.userId);
  if (!verified.ok) {
    recordSignInFailed(context, scope, challenge.userId, "mfa_failed");
    return verified;
  }

  const user = await findUserById(context.db, challenge.userId);
  if (!user || isDisabled(user)) return fail("invalid_mfa_token", { reason: "account gone or disabled" });
  const amr = [...new Set([...parseStringList(challenge.amr), ...factor.amr, "mfa"])];
  const now = context.now();
  if (!(await consumeMfaChallenge(context.db, { id: challenge.id, amr: JSON.stringify(amr), now }))) {
    return fail("invalid_mfa_token", { reason: "completed or expired meanwhile" });
  }
  // The session takes the shape the first factor's request asked for (kept on the challenge).
  const sessionClient = { ...client, rotatesRefreshToken: challenge.rotatesRefreshToken };
  // A challenge that follows a sign-in flow opens the session scoped to the organization chosen there.
  const tokens = await openSession(context, user, sessionClient, amr, { organizationId: challenge.organizationId });
  recordSignInSucceeded(context, scope, user.id, tokens);
  return succeed({ user: toUser(user), tokens });
}
