// Verifying a new account's address and signing it in, in one step: the mailed sign-up code comes
// back and the answer is a session (BioEntrust's verify-email). Only a sign-up's verify_email code
// counts here, never an email change's; an account with a second factor gets no session from a
// mailed code alone (the mailbox is proven all the same, and the account signs in through a surface
// that asks for the factor).

import { type Result, succeed } from "../errors";
import type { ClientInfo, ServiceContext } from "./context";
import { markVerified } from "./email-verification-service";
import { availableMfaMethods } from "./mfa-service";
import { toUser, type User } from "./model";
import { redeemOneTimeCode } from "./one-time-codes";
import { openSession } from "./session-opening";
import type { IssuedTokens } from "./token-issuer";

export type VerifiedSignIn =
  | { kind: "session"; user: User; tokens: IssuedTokens }
  /** Verified, but the account has a second factor: no session, and no challenge either. */
  | { kind: "mfa_required"; user: User };

/**
 * Redeems the verify_email code of `requestId` (wrong, dead and unknown alike: invalid_code, counted
 * against the account's guess budget), marks the address verified and opens a session.
 */
export async function verifyEmailAndSignIn(
  context: ServiceContext,
  input: { requestId: string; code: string },
  client: ClientInfo,
): Promise<Result<VerifiedSignIn>> {
  const redeemed = await redeemOneTimeCode(context, input, ["verify_email"]);
  if (!redeemed.ok) return redeemed;
  const verified = await markVerified(context, redeemed.value);
  if (!verified.ok) return verified;
  const user = verified.value;
  if ((await availableMfaMethods(context, user)).length > 0)
    return succeed({ kind: "mfa_required", user: toUser(user) });
  const tokens = await openSession(context, user, client, ["otp"]);
  return succeed({ kind: "session", user: toUser(user), tokens });
}
