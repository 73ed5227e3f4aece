// wolfpal's failure shapes, as its Express routes answered: `{"code": "SOME_CODE", "error": "…"}`
// for refusals, `{"codes": {field: CODE}, "errors": {field: message}}` for validation, and its 404
// handler's `{"code": 404, "error": "Whoops, …"}`. Every error code is mapped, so nothing on a
// wolfpal path is a problem document; the log keeps the reason, the wire a fixed message.

import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { type DialectErrorCode, type Failure, type FieldIssue, isNativeOnly, type TokenRejection } from "../errors";
import { logRefusal, retryAfterOf } from "../routes/http/problem";
import { dialectRefusal } from "./refusal";

interface WolfpalRefusal {
  status: ContentfulStatusCode;
  code: string;
  error: string;
}

const refusal = (status: ContentfulStatusCode, code: string, error: string): WolfpalRefusal => ({
  status,
  code,
  error,
});

const REFUSALS: Record<DialectErrorCode, WolfpalRefusal> = {
  // Rendered as `{codes, errors}` whenever the failure names its fields (see validationBody).
  invalid_request: refusal(400, "INVALID_REQUEST", "The request is invalid."),
  malformed_body: refusal(400, "MALFORMED_BODY", "The request body could not be parsed."),
  unsupported_media_type: refusal(
    415,
    "UNSUPPORTED_MEDIA_TYPE",
    "Send application/json or application/x-www-form-urlencoded.",
  ),
  payload_too_large: refusal(413, "PAYLOAD_TOO_LARGE", "The request body is too large."),
  // The origin's 404 handler, whose `code` is the number (rendered apart, see wolfpalFailureResponse).
  not_found: refusal(404, "404", "Whoops, this resource or route could not be found"),
  method_not_allowed: refusal(405, "METHOD_NOT_ALLOWED", "This route does not answer that method."),
  // The origin's words; an unknown address answers exactly like a wrong password (its NON_EXISTENT did not).
  invalid_credentials: refusal(400, "INVALID_CREDENTIALS", "Either email or password is invalid."),
  // Refined by the token's rejection below; this is the answer when no token was presented.
  invalid_token: refusal(401, "UNAUTHORIZED", "Unauthorized: send the access token as Bearer."),
  invalid_refresh_token: refusal(401, "INVALID_REFRESH_TOKEN", "The refresh token is invalid or has expired."),
  // The origin's one sentence for either, as its document's clients know it.
  email_taken: refusal(409, "ALREADY_EXISTS", "This username or email already exists."),
  username_taken: refusal(409, "ALREADY_EXISTS", "This username or email already exists."),
  weak_password: refusal(400, "INVALID_PASSWORD", "The password does not meet the password policy."),
  invalid_code: refusal(400, "INVALID_CODE", "The code is wrong or no longer valid."),
  code_expired: refusal(400, "INVALID_CODE", "The code or link is no longer valid."),
  // Only with DIALECT_WOLFPAL_UNCONFIRMED_LOGIN=false, and only after a correct password.
  email_not_verified: refusal(403, "PENDING_CONFIRMATION", "Please confirm your email address before you log in."),
  invalid_mfa_token: refusal(400, "INVALID_TWO_FACTOR_TOKEN", "Invalid two factor token."),
  invalid_mfa_code: refusal(401, "INVALID_TWO_FACTOR_CODE", "Invalid two factor code."),
  mfa_locked: refusal(429, "TWO_FACTOR_LOCKED", "Too many wrong two factor codes; try again later."),
  totp_not_enabled: refusal(404, "TWO_FACTOR_NOT_ENABLED", "Two factor is not enabled."),
  totp_already_enabled: refusal(409, "TWO_FACTOR_ALREADY_ENABLED", "Two factor is already enabled."),
  mail_unavailable: refusal(503, "MAIL_UNAVAILABLE", "The email could not be sent; try again shortly."),
  sms_unavailable: refusal(503, "SMS_UNAVAILABLE", "The text message could not be sent; try again shortly."),
  phone_not_verified: refusal(403, "PHONE_NOT_VERIFIED", "Verify your phone number first."),
  sms_mfa_enabled: refusal(409, "SMS_TWO_FACTOR_ENABLED", "Turn SMS sign-in off before changing the number."),
  session_not_found: refusal(404, "SESSION_NOT_FOUND", "No such session."),
  user_not_found: refusal(404, "USER_NOT_FOUND", "No such user."),
  invalid_api_key: refusal(401, "INVALID_API_KEY", "Invalid API key."),
  insufficient_scope: refusal(403, "INSUFFICIENT_SCOPE", "The API key lacks the scope this needs."),
  forbidden_origin: refusal(403, "FORBIDDEN_ORIGIN", "This origin may not make this request."),
  rate_limited: refusal(429, "TOO_MANY_REQUESTS", "Too many requests; try again later."),
  service_unavailable: refusal(
    503,
    "SERVICE_UNAVAILABLE",
    "The service is temporarily unavailable; try again shortly.",
  ),
  internal_error: refusal(500, "INTERNAL_SERVER_ERROR", "Internal Server Error."),
};

/** Why a presented access token was refused, each its own code so a client can tell "log in again" apart. */
const TOKEN_REFUSALS: Record<TokenRejection, WolfpalRefusal> = {
  token_expired: refusal(401, "TOKEN_EXPIRED", "The access token has expired."),
  token_revoked: refusal(401, "TOKEN_REVOKED", "The access token has been revoked."),
  token_malformed: refusal(401, "INVALID_TOKEN", "The access token is invalid."),
  token_invalid: refusal(401, "INVALID_TOKEN", "The access token is invalid."),
  verifier_unavailable: REFUSALS.service_unavailable,
};

/** The origin's validation codes: REQUIRED, NOT_LONG_ENOUGH, INVALID_CHARACTERS, else INVALID. */
function validationCodeOf(message: string): string {
  if (message === "is required") return "REQUIRED";
  if (/^must be (at least|at most|between)\b/.test(message)) return "NOT_LONG_ENOUGH";
  if (message.startsWith("must only contain")) return "INVALID_CHARACTERS";
  return "INVALID";
}

/** A whole-body issue keys `body`; a service's `input` is the request as a whole too. */
const wireField = (field: string) => (field === "" || field === "input" ? "body" : field);
// A Map, not an object: a repeated form field named "constructor" must not find Object's.
const LABELS = new Map([
  ["body", "The request body"],
  ["refresh_token", "Refresh token"],
]);
const labelOf = (field: string) => LABELS.get(field) ?? `${field.charAt(0).toUpperCase()}${field.slice(1)}`;

/** One entry per field (the first issue wins), in Maps so a field named `__proto__` stays a key. */
function validationBody(issues: readonly FieldIssue[]) {
  const codes = new Map<string, string>();
  const errors = new Map<string, string>();
  for (const issue of issues) {
    const field = wireField(issue.field);
    if (codes.has(field)) continue;
    codes.set(field, validationCodeOf(issue.message));
    errors.set(field, `${labelOf(field)} ${issue.message}.`);
  }
  return { codes: Object.fromEntries(codes), errors: Object.fromEntries(errors) };
}

function bodyOf(failure: Failure, refusal: WolfpalRefusal) {
  if (failure.code === "not_found") return { code: 404, error: refusal.error };
  const parse = failure.code === "malformed_body" ? failure.issues?.[0] : undefined;
  if (parse) return { code: refusal.code, error: `The request body ${parse.message}.` };
  const fieldFailure = failure.code === "invalid_request" || failure.code === "weak_password";
  if (fieldFailure && failure.issues && failure.issues.length > 0) return validationBody(failure.issues);
  return { code: refusal.code, error: refusal.error };
}

export function wolfpalFailureResponse(c: Context, failure: Failure, headers: Record<string, string> = {}): Response {
  const token = failure.code === "invalid_token" && failure.tokenRejection;
  // Its codes are the error code in capitals, a native-only one too.
  const refusal = token
    ? TOKEN_REFUSALS[token]
    : {
        ...dialectRefusal(REFUSALS, failure.code),
        ...(isNativeOnly(failure.code) ? { code: failure.code.toUpperCase() } : {}),
      };
  logRefusal(failure);
  const retryAfter = retryAfterOf(failure);
  return c.json(bodyOf(failure, refusal), refusal.status, {
    "Cache-Control": "no-store",
    ...headers,
    ...(retryAfter === undefined ? {} : { "Retry-After": retryAfter }),
  });
}
