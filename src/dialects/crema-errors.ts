// crema's failure shapes: `{"error": "…"}` as its Flask views answered, and `{"msg": "…"}` for token
// problems as Flask-JWT-Extended answered them. Every error code is mapped, so no failure on a crema
// path is a problem document; the log keeps the reason, the wire a fixed message.

import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { DialectErrorCode, Failure, FieldIssue, TokenRejection } from "../errors";
import { logRefusal, retryAfterOf } from "../routes/http/problem";
import { dialectRefusal } from "./refusal";

interface CremaRefusal {
  status: ContentfulStatusCode;
  message: string;
  /** Flask-JWT-Extended's member for token refusals; `error` otherwise. */
  member?: "msg";
}

const REFUSALS: Record<DialectErrorCode, CremaRefusal> = {
  invalid_request: { status: 400, message: "The request is invalid." },
  malformed_body: { status: 400, message: "The request body could not be parsed." },
  unsupported_media_type: { status: 415, message: "Send application/json or application/x-www-form-urlencoded." },
  payload_too_large: { status: 413, message: "The request body is too large." },
  not_found: { status: 404, message: "Not found." },
  method_not_allowed: { status: 405, message: "Method not allowed." },
  // The document's own words, for an unknown address and a wrong password alike.
  invalid_credentials: { status: 400, message: "Invalid credentials!" },
  // Refined by the token's rejection below; this is the answer when no token was presented.
  invalid_token: { status: 401, member: "msg", message: "Missing Authorization Header" },
  // Opaque refresh tokens say no more than "not usable": unknown, ended and logged out alike.
  invalid_refresh_token: { status: 401, member: "msg", message: "Token has been revoked" },
  email_taken: { status: 400, message: "A user with that email already exists." },
  username_taken: { status: 400, message: "That username is taken." },
  weak_password: { status: 400, message: "The password does not meet the password policy." },
  invalid_code: { status: 400, message: "The code is wrong or no longer valid." },
  code_expired: { status: 400, message: "The code or link is no longer valid." },
  email_not_verified: { status: 403, message: "Verify your email address first." },
  invalid_mfa_token: { status: 401, message: "The sign-in has expired; log in again." },
  invalid_mfa_code: { status: 400, message: "The second-factor code is wrong." },
  mfa_locked: { status: 429, message: "Too many wrong codes; try again later." },
  totp_not_enabled: { status: 404, message: "No authenticator app is set up." },
  totp_already_enabled: { status: 409, message: "An authenticator app is already set up." },
  mail_unavailable: { status: 503, message: "Mail could not be sent; try again shortly." },
  sms_unavailable: { status: 503, message: "The text message could not be sent; try again shortly." },
  phone_not_verified: { status: 403, message: "Verify your phone number first." },
  sms_mfa_enabled: { status: 409, message: "Turn SMS sign-in off before changing the number." },
  session_not_found: { status: 404, message: "No such session." },
  user_not_found: { status: 404, message: "No such user." },
  invalid_api_key: { status: 401, message: "Invalid API key." },
  insufficient_scope: { status: 403, message: "The API key lacks the scope this needs." },
  forbidden_origin: { status: 403, message: "This origin may not make this request." },
  rate_limited: { status: 429, message: "Too many requests; try again later." },
  service_unavailable: { status: 503, message: "The service is temporarily unavailable; try again shortly." },
  internal_error: { status: 500, message: "Internal error." },
};

/** Flask-JWT-Extended's wording where it has one. */
const TOKEN_MESSAGES: Record<TokenRejection, string> = {
  token_expired: "Token has expired",
  token_revoked: "Token has been revoked",
  token_malformed: "Invalid token",
  token_invalid: "Invalid token",
  verifier_unavailable: "Token could not be checked",
};

/** crema's fields are the domain's own keys (name, email, password); the request as a whole is the body. */
const describeIssue = ({ field, message }: FieldIssue) =>
  `${field === "body" || field === "input" || field === "" ? "The request body" : field} ${message}`;

function messageOf(failure: Failure, refusal: CremaRefusal): string {
  if (failure.code === "invalid_token" && failure.tokenRejection) return TOKEN_MESSAGES[failure.tokenRejection];
  // A taken address keeps the document's sentence; validation says what is wrong, field by field.
  if (failure.code !== "email_taken" && failure.issues && failure.issues.length > 0) {
    return failure.issues.map(describeIssue).join("; ");
  }
  return refusal.message;
}

export function cremaFailureResponse(c: Context, failure: Failure, headers: Record<string, string> = {}): Response {
  const refusal = dialectRefusal(REFUSALS, failure.code);
  logRefusal(failure);
  const message = messageOf(failure, refusal);
  const body = refusal.member === "msg" ? { msg: message } : { error: message };
  const retryAfter = retryAfterOf(failure);
  return c.json(body, refusal.status, {
    "Cache-Control": "no-store",
    ...headers,
    ...(retryAfter === undefined ? {} : { "Retry-After": retryAfter }),
  });
}
