// Issuing and redeeming one-time codes and mail links for the mail flows. What a wrong or dead
// code answers is the same whatever account it names; attempts and consumption are decided in D1.

import { generateLinkToken, generateNumericCode, hashOneTimeSecret } from "../crypto/one-time-code";
import { generateId } from "../crypto/random";
import { fail, type Result, succeed } from "../errors";
import {
  type CodeOwner,
  type CodePurpose,
  consumeLink,
  guessCode,
  insertReplacingOlderCodes,
  type NewOneTimeCode,
} from "../storage/one-time-code-store";
import type { OneTimeCodeRow } from "../storage/schema";
import type { ServiceContext } from "./context";

export interface IssuedCode {
  requestId: string;
  code: string;
  linkToken: string;
  expiresInMinutes: number;
}

const LINK_SCOPE = "link";
const MAX_CODE_INPUT_LENGTH = 16;
const MAX_LINK_INPUT_LENGTH = 64;

export async function issueOneTimeCode(
  context: ServiceContext,
  request: { userId: string; purpose: CodePurpose; target: string; requestId?: string },
): Promise<IssuedCode> {
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
  request: { userId: string; purpose: CodePurpose; target: string; requestId?: string },
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
    codeHash: await hashOneTimeSecret(otpKey, requestId, code),
    linkHash: await hashOneTimeSecret(otpKey, LINK_SCOPE, linkToken),
    createdAt: now,
    expiresAt: now + config.otpTtlSeconds,
  };
  return { row, issued: { requestId, code, linkToken, expiresInMinutes: Math.round(config.otpTtlSeconds / 60) } };
}

export type Redemption = { requestId: string; code: string } | { token: string };

/**
 * Redeems a code or a link for one of `purposes`; wrong → invalid_code, spent/expired/locked → code_expired.
 * With `owner`, a code is accepted only for that account and target (a signed-in caller's own code):
 * anyone else's code answers code_expired and its attempts stay untouched.
 */
export async function redeemOneTimeCode(
  context: ServiceContext,
  redemption: Redemption,
  purposes: CodePurpose[],
  owner?: CodeOwner,
): Promise<Result<OneTimeCodeRow>> {
  const now = context.now();
  if ("token" in redemption) {
    if (redemption.token.length > MAX_LINK_INPUT_LENGTH)
      return fail("code_expired", { reason: "oversized link token" });
    const linkHash = await hashOneTimeSecret(context.otpKey, LINK_SCOPE, redemption.token);
    const row = await consumeLink(context.db, { linkHash, now, purposes });
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
    now,
    ...(owner ? { owner } : {}),
  });
  if (outcome.result === "accepted") return succeed(outcome.code);
  if (outcome.result === "wrong") return fail("invalid_code", { reason: "wrong code" });
  return fail("code_expired", { reason: "code unknown, used, replaced, expired or out of attempts" });
}
