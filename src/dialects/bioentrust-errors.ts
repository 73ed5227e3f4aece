// BioEntrust's failure shapes, as its Flask views answered: `{"error": "…"}` for refusals, and its
// documented `{"status": "error", "message": "…"}` for a missing or bad token (401) and for server
// trouble (5xx). Every error code is mapped, so nothing on a BioEntrust path is a problem document;
// the log keeps the reason, the wire a fixed message. Routes whose document gives one sentence for
// every refusal (verify-email's "Signup Failed") say it through `refuseInWords`.

import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { AppError, type DialectErrorCode, type ErrorCode, type Failure, type FieldIssue } from "../errors";
import { logRefusal, retryAfterOf } from "../routes/http/problem";
import { dialectRefusal } from "./refusal";

interface Refusal {
  status: ContentfulStatusCode;
  message: string;
  /** `status`: the document's `{"status": "error", "message"}`; otherwise `{"error"}`. */
  shape?: "status";
}

const UNAUTHORIZED: Refusal = { status: 401, shape: "status", message: "Unauthorized" };
const UNAVAILABLE: Refusal = { status: 503, shape: "status", message: "Service temporarily unavailable" };

const REFUSALS: Record<DialectErrorCode, Refusal> = {
  invalid_request: { status: 400, message: "The request is invalid" },
  malformed_body: { status: 400, message: "The request body could not be parsed" },
  unsupported_media_type: { status: 415, message: "Send application/json or application/x-www-form-urlencoded" },
  payload_too_large: { status: 413, message: "The request body is too large" },
  not_found: { status: 404, message: "Not found" },
  method_not_allowed: { status: 405, message: "Method not allowed" },
  // The document's words, for an unknown address and a wrong password alike.
  invalid_credentials: { status: 401, message: "Invalid login credentials" },
  invalid_token: UNAUTHORIZED,
  invalid_refresh_token: UNAUTHORIZED,
  email_taken: { status: 409, message: "Email address already in use" },
  username_taken: { status: 409, message: "That username is taken" },
  weak_password: { status: 400, message: "The password does not meet the password policy" },
  invalid_code: { status: 401, message: "Verification failed" },
  code_expired: { status: 401, message: "Verification failed" },
  // Only after a right password: the origin kept no account until its address was verified.
  email_not_verified: { status: 401, message: "Email address not verified; sign up again for a new code" },
  invalid_mfa_token: { status: 401, message: "The sign-in has expired; sign in again" },
  invalid_mfa_code: { status: 401, message: "The second-factor code is wrong" },
  mfa_locked: { status: 429, message: "Too many wrong codes; try again later" },
  totp_not_enabled: { status: 404, message: "No authenticator app is set up" },
  totp_already_enabled: { status: 409, message: "An authenticator app is already set up" },
  mail_unavailable: { status: 503, shape: "status", message: "Mail could not be sent; try again shortly" },
  sms_unavailable: { status: 503, shape: "status", message: "The text message could not be sent; try again shortly" },
  phone_not_verified: { status: 403, message: "Verify your phone number first" },
  sms_mfa_enabled: { status: 409, message: "Turn SMS sign-in off before changing the number" },
  session_not_found: { status: 404, message: "No such session" },
  user_not_found: { status: 404, message: "No such user" },
  invalid_api_key: { status: 401, message: "Invalid API key" },
  insufficient_scope: { status: 403, message: "The API key lacks the scope this needs" },
  forbidden_origin: { status: 403, message: "This origin may not make this request" },
  rate_limited: { status: 429, message: "Too many requests; try again later" },
  service_unavailable: UNAVAILABLE,
  internal_error: { status: 500, shape: "status", message: "Internal error" },
};

/** The origin's one password rule was "more than 7 characters"; the core's minimum says it here. */
function passwordMessage({ message }: FieldIssue): string {
  const minimum = /^must be at least (\d+) characters$/.exec(message);
  return minimum ? `Password should be more than ${Number(minimum[1]) - 1} characters` : `Password ${message}`;
}

const describeIssue = ({ field, message }: FieldIssue) =>
  `${field === "body" || field === "input" || field === "" ? "The request body" : field} ${message}`;

function messageOf(failure: Failure, refusal: Refusal): string {
  const [first] = failure.issues ?? [];
  if (failure.code === "weak_password" && first) return passwordMessage(first);
  if (failure.code === "invalid_request" && failure.issues && failure.issues.length > 0) {
    return failure.issues.map(describeIssue).join("; ");
  }
  if (failure.code === "malformed_body" && first) return describeIssue(first);
  return refusal.message;
}

function render(c: Context, failure: Failure, refusal: Refusal, headers: Record<string, string>): Response {
  logRefusal(failure);
  const message = messageOf(failure, refusal);
  const body = refusal.shape === "status" ? { status: "error", message } : { error: message };
  const retryAfter = retryAfterOf(failure);
  return c.json(body, refusal.status, {
    "Cache-Control": "no-store",
    ...headers,
    ...(retryAfter === undefined ? {} : { "Retry-After": retryAfter }),
  });
}

export function bioentrustFailureResponse(
  c: Context,
  failure: Failure,
  headers: Record<string, string> = {},
): Response {
  // A token that could not be checked is an outage, not a sign-out: answered 503, not 401.
  const outage = failure.code === "invalid_token" && failure.tokenRejection === "verifier_unavailable";
  return render(c, failure, outage ? UNAVAILABLE : dialectRefusal(REFUSALS, failure.code), headers);
}

/** A route's one documented sentence for the refusals it names. */
export interface RouteWords {
  status: 400 | 401;
  error: string;
  codes: readonly ErrorCode[];
}

/**
 * A service's refusal on a route with words of its own: those words for the codes the route names;
 * any other (429, 503…) is thrown to the registry, which renders it through the map above.
 */
export function refuseInWords(c: Context, failure: Failure, words: RouteWords): Response {
  if (!words.codes.includes(failure.code)) throw new AppError(failure);
  logRefusal(failure);
  return c.json({ error: words.error }, words.status, { "Cache-Control": "no-store" });
}
