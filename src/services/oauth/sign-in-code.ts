// The one-time sign-in code that ends a redirect flow: 256 random bits, stored as SHA-256, five
// minutes, bound to the SPA's PKCE challenge. Its single use is decided by one UPDATE … RETURNING
// (a wrong verifier spends it too), then the sign-in finishes like any first factor: a session, or
// the MFA challenge when the account has a second factor.

import * as oauth from "oauth4webapi";
import { timingSafeEqual } from "../../crypto/constant-time";
import { generateOpaqueToken, sha256Base64Url } from "../../crypto/random";
import { fail, type Result, succeed } from "../../errors";
import { insertOAuthSignInCode, redeemOAuthSignInCode } from "../../storage/oauth-flow-store";
import type { OAuthFlowRow } from "../../storage/schema";
import type { ClientInfo, RequestScope, ServiceContext } from "../context";
import type { LoginOutcome } from "../mfa-service";
import { isDisabled } from "../model";
import { recordSignInSucceeded } from "../sign-in-events";
import { type FlowOutcome, finishFirstFactorOrFlow } from "../sign-in-flow-service";
import { type ResolvedAccount, SOCIAL_AMR } from "./account-resolution";

export const SIGN_IN_CODE_TTL_SECONDS = 300;
const MAX_CODE_LENGTH = 128;
/** RFC 7636 §4.1: 43..128 unreserved characters. */
const CODE_VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;

export async function issueSignInCode(
  context: ServiceContext,
  account: ResolvedAccount,
  origin: { flow: OAuthFlowRow; provider: string },
): Promise<string> {
  const code = generateOpaqueToken();
  const now = context.now();
  const row = {
    codeHash: await sha256Base64Url(code),
    userId: account.user.id,
    provider: origin.provider,
    codeChallenge: origin.flow.clientCodeChallenge,
    redirectTo: origin.flow.redirectTo,
    createdAt: now,
    expiresAt: now + SIGN_IN_CODE_TTL_SECONDS,
  };
  await insertOAuthSignInCode(context.db, row, account.alongside);
  return code;
}

const invalidGrant = (reason: string) => fail("invalid_code", { reason });

/**
 * Exchanges a sign-in code and the SPA's PKCE verifier. Every refusal is invalid_code (the grant's
 * invalid_grant): unknown, used, expired, wrong verifier, a `redirect_uri` other than the URL the
 * code was sent to (optional, as ours was never a redirect_uri parameter; RFC 6749 §4.1.3 when sent),
 * or an account disabled since. Once found, a refused code is spent (a malformed request is refused
 * before it is looked up).
 */
export async function exchangeSignInCode(
  context: ServiceContext,
  input: { code: string; codeVerifier: string; redirectUri?: string | undefined },
  client: ClientInfo,
  scope: RequestScope,
): Promise<Result<LoginOutcome | FlowOutcome>> {
  if (input.code.length > MAX_CODE_LENGTH) return invalidGrant("oversized code");
  if (!CODE_VERIFIER.test(input.codeVerifier)) return invalidGrant("malformed code_verifier");
  // One round trip: the code consumed, and its user read with what the sign-in's end needs.
  const redeemed = await redeemOAuthSignInCode(context.db, await sha256Base64Url(input.code), context.now());
  if (!redeemed) return invalidGrant("unknown, used or expired sign-in code");
  const { code: row, user, hasConfirmedTotp, activeOrganizations } = redeemed;
  const encoder = new TextEncoder();
  const challenge = await oauth.calculatePKCECodeChallenge(input.codeVerifier);
  if (!timingSafeEqual(encoder.encode(challenge), encoder.encode(row.codeChallenge)))
    return invalidGrant("code_verifier does not match the challenge");
  if (input.redirectUri !== undefined && input.redirectUri !== row.redirectTo)
    return invalidGrant("redirect_uri is not where the code was sent");
  if (!user || isDisabled(user)) return invalidGrant("account gone or disabled");
  // As a password login: a user of two or more organizations chooses one first (a sign-in flow).
  const known = { hasConfirmedTotp, activeOrganizations };
  const outcome = await finishFirstFactorOrFlow(context, user, client, SOCIAL_AMR, known);
  if (outcome.kind === "session")
    recordSignInSucceeded(context, scope, user.id, outcome.tokens, { method: "oauth", provider: row.provider });
  return succeed(outcome);
}
