// NAP's failure shape, its models.ErrorResponse: `{"message", "debug", "code"}` with `code` the HTTP
// status as an integer (the generated SDK parses it strictly), `message` for the end user and `debug`
// a short hint for the developer, never internals. Every error code is mapped, so no failure on a
// NAP path is a problem document; the log keeps the reason.

import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { DialectErrorCode, Failure, FieldIssue, TokenRejection } from "../errors";
import { logRefusal, retryAfterOf } from "../routes/http/problem";
import { dialectRefusal } from "./refusal";

interface NapRefusal {
  status: ContentfulStatusCode;
  message: string;
  debug: string;
}

const refusal = (status: ContentfulStatusCode, message: string, debug: string): NapRefusal => ({
  status,
  message,
  debug,
});

const REFUSALS: Record<DialectErrorCode, NapRefusal> = {
  invalid_request: refusal(400, "The request is invalid.", "invalid input"),
  malformed_body: refusal(400, "The request body could not be parsed.", "malformed body"),
  unsupported_media_type: refusal(415, "Send the request as JSON.", "unsupported content type"),
  payload_too_large: refusal(413, "The request body is too large.", "body over 16 KiB"),
  not_found: refusal(404, "Not found.", "no such route"),
  method_not_allowed: refusal(405, "Method not allowed.", "see the Allow header"),
  // An unknown address and a wrong password alike.
  invalid_credentials: refusal(401, "Invalid email or password.", "invalid credentials"),
  // Refined by the token's rejection below; this is the answer when the token could not be used.
  invalid_token: refusal(401, "Invalid or expired session token.", "session token refused"),
  invalid_refresh_token: refusal(401, "Invalid or expired refresh token; log in again.", "refresh token refused"),
  email_taken: refusal(400, "A user with this email already exists.", "email already registered"),
  username_taken: refusal(400, "That username is taken.", "username taken"),
  weak_password: refusal(400, "The password does not meet the password policy.", "weak password"),
  invalid_code: refusal(400, "Invalid or expired token.", "token refused"),
  code_expired: refusal(400, "Invalid or expired token.", "token unknown, used, replaced or expired"),
  email_not_verified: refusal(403, "Verify your email address first.", "email not verified"),
  invalid_mfa_token: refusal(401, "The sign-in has expired; log in again.", "sign-in expired"),
  invalid_mfa_code: refusal(401, "The second-factor code is wrong.", "wrong second-factor code"),
  mfa_locked: refusal(429, "Too many wrong codes; try again later.", "second factor locked"),
  totp_not_enabled: refusal(404, "No authenticator app is set up.", "no authenticator app"),
  totp_already_enabled: refusal(409, "An authenticator app is already set up.", "authenticator app exists"),
  mail_unavailable: refusal(503, "Email could not be sent; try again shortly.", "mail provider unavailable"),
  sms_unavailable: refusal(503, "The text message could not be sent; try again shortly.", "SMS provider unavailable"),
  phone_not_verified: refusal(403, "Verify your phone number first.", "phone not verified"),
  sms_mfa_enabled: refusal(409, "Turn SMS sign-in off before changing the number.", "SMS sign-in on"),
  session_not_found: refusal(404, "No such session.", "no such session"),
  user_not_found: refusal(404, "No such user.", "no such user"),
  invalid_api_key: refusal(401, "Invalid API key.", "API key refused"),
  insufficient_scope: refusal(403, "The API key lacks the scope this needs.", "missing scope"),
  forbidden_origin: refusal(403, "This origin may not make this request.", "origin not allowed"),
  rate_limited: refusal(429, "Too many requests; try again later.", "rate limited; see Retry-After"),
  service_unavailable: refusal(503, "The service is temporarily unavailable; try again shortly.", "temporary outage"),
  internal_error: refusal(500, "Internal server error.", "internal error"),
};

const TOKEN_HINTS: Record<TokenRejection, string> = {
  token_expired: "session token expired",
  token_revoked: "session ended",
  token_malformed: "session token malformed",
  token_invalid: "session token invalid",
  verifier_unavailable: "session token could not be checked",
};

/** Issues name NAP's own camelCase fields (email, confirmPassword); "" is the request as a whole. */
const describeIssue = ({ field, message }: FieldIssue) =>
  field === "" ? message : `${field === "body" || field === "input" ? "The request body" : field} ${message}`;

/** models.ErrorResponse, with `code` the status. */
export const napErrorBody = (status: number, message: string, debug: string) => ({ message, debug, code: status });

function bodyOf(failure: Failure, found: NapRefusal) {
  const debug =
    failure.code === "invalid_token" && failure.tokenRejection ? TOKEN_HINTS[failure.tokenRejection] : found.debug;
  // Validation says what is wrong, field by field; a taken address keeps its sentence.
  const issues = failure.code === "email_taken" ? [] : (failure.issues ?? []);
  const message = issues.length > 0 ? issues.map(describeIssue).join("; ") : found.message;
  return napErrorBody(found.status, message, debug);
}

export function napFailureResponse(c: Context, failure: Failure, headers: Record<string, string> = {}): Response {
  const found = dialectRefusal(REFUSALS, failure.code);
  logRefusal(failure);
  const retryAfter = retryAfterOf(failure);
  return c.json(bodyOf(failure, found), found.status, {
    "Cache-Control": "no-store",
    ...headers,
    ...(retryAfter === undefined ? {} : { "Retry-After": retryAfter }),
  });
}
