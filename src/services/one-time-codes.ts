// Issuing and redeeming one-time codes and mail links for the mail flows. What a wrong or dead
// code answers is the same whatever account it names; attempts and consumption are decided in D1.

import { generateLinkToken, generateNumericCode, hashOneTimeSecret } from "../crypto/one-time-code";
import { generateId } from "../crypto/random";
import { fail, type Result, succeed } from "../errors";
import {
  type CodeOwner,
  type CodePurpose,
  consumeLink,
  type GuessBudget,
  guessCode,
  insertReplacingOlderCodes,
  type NewOneTimeCode,
} from "../storage/one-time-code-store";
import type { OneTimeCodeRow } from "../storage/schema";
import { type ServiceContext, sessionWindow } from "./context";

export interface IssuedCode {
  requestId: string;
  code: string;
  linkToken: string;
  expiresInMinutes: number;
}

const LINK_SCOPE = "link";

/**
 * Guesses an account may spend on codes of one purpose before it must wait, however many codes it
 * asks for (each new code has its own OTP_MAX_ATTEMPTS, the budget does not renew with it). NIST
 * SP 800-63B §5.2.2 allows up to 100 consecutive failures; 10 an hour bounds a six-digit code to
 * 240 guesses a day (a 1 in 4,000 chance). A right code resets the count. SMS sign-in is a second
 * factor and locks like TOTP: 5 guesses, then 15 minutes.
 */
export const CODE_GUESS_BUDGETS: Record<CodePurpose, GuessBudget> = {
  verify_email: { maxGuesses: 10, windowSeconds: 3600 },
  reset_password: { maxGuesses: 10, windowSeconds: 3600 },
  set_password: { maxGuesses: 10, windowSeconds: 3600 },
  change_email: { maxGuesses: 10, windowSeconds: 3600 },
  verify_phone: { maxGuesses: 10, windowSeconds: 3600 },
  mfa_sms: { maxGuesses: 5, windowSeconds: 900 },
};

export interface CodeRequest {
  userId: string;
  purpose: CodePurpose;
  target: string;
  requestId?: string;
  /** For an email change: the asking session, which must stay live until the code comes back. */
  sessionId?: string;
}
const MAX_CODE_INPUT_LENGTH = 16;
const MAX_LINK_INPUT_LENGTH = 64;

/** Issues a code, replacing the user's live one of that purpose in the same batch. */
export async function issueOneTimeCode(context: ServiceContext, request: CodeRequest): Promise<IssuedCode> {
  const { row, issued } = await prepareOneTimeCode(context, request);
  await insertReplacingOlderCodes(context.db, row);
  return issued;
}

/**
 * A new code and link token with the row that stores their hashes, not yet written: for a caller that
 * writes it in a batch of its own (a new user has no older code to replace; see insertUserWithCode).
 */
export async function prepareOneTimeCode(
  context: ServiceContext,
  request: CodeRequest,
): Promise<{ row: NewOneTimeCode; issued: IssuedCode }> {
  const { config, otpKey } = context;
  const now = context.now();
  const requestId = request.requestId ?? generateId();
  const code = generateNumericCode(config.otpCodeLength);
  const linkToken = generateLinkToken();
  const row: NewOneTimeCode = {
    id: requestId,
    userId: request.userId,
    purpose: request.purpose,
    target: request.target,
    sessionId: request.sessionId ?? null,
    codeHash: await hashOneTimeSecret(otpKey, requestId, code),
    linkHash: await hashOneTimeSecret(otpKey, LINK_SCOPE, linkToken),
    createdAt: now,
    expiresAt: now + config.otpTtlSeconds,
  };
  return { row, issued: { requestId, code, linkToken, expiresInMinutes: Math.round(config.otpTtlSeconds / 60) } };
}

export type Redemption = { requestId: string; code: string } | { token: string };

/**
 * Redeems a code or a link for one of `purposes`; wrong → invalid_code; a dead link → code_expired; a dead
 * code → invalid_code for anonymous callers (no `owner`: nothing tells an unknown request id apart),
 * code_expired for a signed-in owner;
 * the account's guess budget for the purpose spent → rate_limited (with the seconds until it renews).
 * With `owner`, a code is accepted only for that account and target (a signed-in caller's own code):
 * anyone else's code answers code_expired and its attempts stay untouched.
 */
export async function redeemOneTimeCode(
  context: ServiceContext,
  redemption: Redemption,
  purposes: CodePurpose[],
  owner?: CodeOwner,
): Promise<Result<OneTimeCodeRow>> {
  const window = sessionWindow(context);
  if ("token" in redemption) {
    if (redemption.token.length > MAX_LINK_INPUT_LENGTH)
      return fail("code_expired", { reason: "oversized link token" });
    const linkHash = await hashOneTimeSecret(context.otpKey, LINK_SCOPE, redemption.token);
    const row = await consumeLink(context.db, { linkHash, window, purposes });
    return row ? succeed(row) : fail("code_expired", { reason: "link unknown, used, replaced or expired" });
  }
  if (!/^\d+$/.test(redemption.code) || redemption.code.length > MAX_CODE_INPUT_LENGTH) {
    return fail("invalid_request", { issues: [{ field: "code", message: "must be digits" }] });
  }
  const outcome = await guessCode(context.db, {
    id: redemption.requestId,
    purposes,
    codeHash: await hashOneTimeSecret(context.otpKey, redemption.requestId, redemption.code),
    maxAttempts: context.config.otpMaxAttempts,
    // One purpose per call in practice; the strictest budget applies when several are named.
    budget: strictestBudget(purposes),
    window,
    ...(owner ? { owner } : {}),
  });
  if (outcome.result === "accepted") return succeed(outcome.code);
  if (outcome.result === "wrong") return fail("invalid_code", { reason: "wrong code" });
  if (outcome.result === "over_budget") {
    return fail("rate_limited", { reason: "code guess budget spent", retryAfterSeconds: outcome.retryAfterSeconds });
  }
  // Anonymous callers (reset, email verification) get the same answer for a dead code as for a wrong
  // one: a request id from /v1/password/forgot names a code only when the address has an account, so
  // "expired" against "wrong" would tell them which addresses do. A signed-in owner may know.
  const reason = "code unknown, used, replaced, expired or out of attempts";
  return owner ? fail("code_expired", { reason }) : fail("invalid_code", { reason });
}

function strictestBudget(purposes: CodePurpose[]): GuessBudget {
  const budgets = purposes.map((purpose) => CODE_GUESS_BUDGETS[purpose]);
  return budgets.reduce((strictest, budget) => (budget.maxGuesses < strictest.maxGuesses ? budget : strictest));
}
