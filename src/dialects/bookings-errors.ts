// Bookings' failure shapes, as Django REST Framework and simplejwt answered: `{"detail": "…"}` for a
// refusal, `{"<field>": ["<message>"]}` for validation, and simplejwt's
// `{"detail": "Token is invalid or expired", "code": "token_not_valid"}` for a token. Every error code
// is mapped, so no failure on a Bookings path is a problem document; the log keeps the reason, the
// wire a fixed sentence (never an input echoed, beyond a documented field's own name).

import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { DialectErrorCode, Failure, FieldIssue } from "../errors";
import { logRefusal, retryAfterOf } from "../routes/http/problem";
import { dialectRefusal } from "./refusal";

interface BookingsRefusal {
  status: ContentfulStatusCode;
  detail: string;
  /** simplejwt's token refusal also names its code. */
  code?: "token_not_valid";
}

const TOKEN_NOT_VALID = { status: 401, detail: "Token is invalid or expired", code: "token_not_valid" } as const;
/** simplejwt's answer for a wrong password, an unknown address, a locked or an inactive account alike. */
const NO_ACCOUNT = { status: 401, detail: "No active account found with the given credentials" } as const;

const REFUSALS: Record<DialectErrorCode, BookingsRefusal> = {
  invalid_request: { status: 400, detail: "Invalid input." },
  malformed_body: { status: 400, detail: "Malformed request." },
  unsupported_media_type: { status: 415, detail: "Unsupported media type in request." },
  payload_too_large: { status: 413, detail: "Request body too large." },
  not_found: { status: 404, detail: "Not found." },
  method_not_allowed: { status: 405, detail: "Method not allowed." },
  invalid_credentials: NO_ACCOUNT,
  // simplejwt's inactive user: refused only after a right password, in the same words as a wrong one.
  email_not_verified: NO_ACCOUNT,
  invalid_token: TOKEN_NOT_VALID,
  invalid_refresh_token: TOKEN_NOT_VALID,
  email_taken: { status: 400, detail: "user with this email already exists." },
  username_taken: { status: 400, detail: "A user with that username already exists." },
  weak_password: { status: 400, detail: "This password does not meet the password policy." },
  invalid_code: { status: 400, detail: "Invalid or expired OTP." },
  code_expired: { status: 400, detail: "Invalid or expired token." },
  invalid_mfa_token: { status: 401, detail: "The sign-in has expired; log in again." },
  invalid_mfa_code: { status: 400, detail: "The second-factor code is wrong." },
  mfa_locked: { status: 429, detail: "Request was throttled." },
  totp_not_enabled: { status: 404, detail: "Not found." },
  totp_already_enabled: { status: 409, detail: "An authenticator app is already set up." },
  mail_unavailable: { status: 503, detail: "The email could not be sent; try again shortly." },
  sms_unavailable: { status: 503, detail: "The text message could not be sent; try again shortly." },
  phone_not_verified: { status: 403, detail: "Verify your phone number first." },
  sms_mfa_enabled: { status: 409, detail: "Turn SMS sign-in off before changing the number." },
  session_not_found: { status: 404, detail: "Not found." },
  user_not_found: { status: 404, detail: "Not found." },
  invalid_api_key: { status: 401, detail: "Invalid API key." },
  insufficient_scope: { status: 403, detail: "You do not have permission to perform this action." },
  forbidden_origin: { status: 403, detail: "You do not have permission to perform this action." },
  rate_limited: { status: 429, detail: "Request was throttled." },
  service_unavailable: { status: 503, detail: "Service temporarily unavailable, try again later." },
  internal_error: { status: 500, detail: "A server error occurred." },
};

/** The domain keys services name fields by, as Bookings' wire names them. */
const WIRE_FIELDS = new Map<string, string>([
  ["newPassword", "password"],
  ["code", "otp"],
  ["phone", "phone_no"],
  ["firstName", "first_name"],
  ["lastName", "last_name"],
]);
/** Its documented fields (and simplejwt's spellings): only these are named back; anything else is the body's. */
const DOCUMENTED = new Set([
  "first_name",
  "last_name",
  "address",
  "email",
  "phone_no",
  "phone_number",
  "password",
  "refresh",
  "refresh_token",
  "token",
  "access_token",
  "otp",
  "access_code",
]);

const wireFieldOf = (field: string): string => {
  const wire = WIRE_FIELDS.get(field) ?? field;
  return DOCUMENTED.has(wire) ? wire : "non_field_errors";
};

/** DRF's and Django's sentences for what the core says in its own words. */
function sentenceOf({ message }: FieldIssue, wireField: string): string {
  const longest = /^must be at most (\d+) characters$/.exec(message);
  if (longest) return `Ensure this field has no more than ${longest[1]} characters.`;
  const shortest = /^must be at least (\d+) characters$/.exec(message);
  if (shortest && wireField === "password") {
    return `This password is too short. It must contain at least ${shortest[1]} characters.`;
  }
  switch (message) {
    case "is not a valid email address":
      return "Enter a valid email address.";
    case "is too common; choose another":
      return "This password is too common.";
    case "must be digits":
      return "Enter a valid OTP: digits only.";
    case "is repeated":
      return "This field was sent more than once.";
    case "must be a JSON object":
      return "Invalid data. Expected a dictionary.";
  }
  // The request schemas already speak DRF's sentences; anything else is phrased as one.
  return /^[A-Z].*\.$/.test(message) ? message : `This field ${message}.`;
}

/** `{"<field>": ["<message>", …]}`, fields in the order their first issue came. */
function fieldErrors(issues: FieldIssue[]): Record<string, string[]> {
  const errors = new Map<string, string[]>();
  for (const issue of issues) {
    const field = issue.field === "" || issue.field === "body" || issue.field === "input" ? "" : issue.field;
    const wire = field === "" ? "non_field_errors" : wireFieldOf(field);
    errors.set(wire, [...(errors.get(wire) ?? []), sentenceOf(issue, wire)]);
  }
  // Object.fromEntries defines each key as its own property, whatever its name.
  return Object.fromEntries(errors);
}

/** A media type or method as DRF names it back, only when it is a plain token. */
const TOKEN = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64}(\/[A-Za-z0-9!#$%&'*+.^_`|~-]{1,64})?$/;

function detailOf(c: Context, failure: Failure, refusal: BookingsRefusal): string {
  switch (failure.code) {
    case "method_not_allowed":
      return TOKEN.test(c.req.method) ? `Method "${c.req.method}" not allowed.` : refusal.detail;
    case "unsupported_media_type": {
      const type = (c.req.header("Content-Type") ?? "").split(";")[0]?.trim() ?? "";
      return TOKEN.test(type) || type === "" ? `Unsupported media type "${type}" in request.` : refusal.detail;
    }
    case "malformed_body":
      // DRF's "JSON parse error - <parser message>", without the parser's echo of the input.
      return failure.issues?.some((issue) => issue.message === "is not valid JSON")
        ? "JSON parse error - the request body is not valid JSON."
        : refusal.detail;
    case "rate_limited":
    case "mfa_locked": {
      const seconds = Number(retryAfterOf(failure) ?? 60);
      return `Request was throttled. Expected available in ${seconds} second${seconds === 1 ? "" : "s"}.`;
    }
    default:
      return refusal.detail;
  }
}

function bodyOf(c: Context, failure: Failure, refusal: BookingsRefusal): Record<string, unknown> {
  if (failure.code === "email_taken") return { email: [refusal.detail] };
  if (failure.code === "username_taken") return { username: [refusal.detail] };
  const validation = failure.code === "invalid_request" || failure.code === "weak_password";
  if (validation && failure.issues && failure.issues.length > 0) return fieldErrors(failure.issues);
  if (failure.code === "weak_password") return { password: [refusal.detail] };
  return refusal.code ? { detail: refusal.detail, code: refusal.code } : { detail: detailOf(c, failure, refusal) };
}

export function bookingsFailureResponse(c: Context, failure: Failure, headers: Record<string, string> = {}): Response {
  // An outage checking a token is not the token's fault.
  const outage = failure.code === "invalid_token" && failure.tokenRejection === "verifier_unavailable";
  const refusal = outage ? REFUSALS.service_unavailable : dialectRefusal(REFUSALS, failure.code);
  logRefusal(failure);
  const retryAfter = retryAfterOf(failure);
  return c.json(bodyOf(c, failure, refusal), refusal.status, {
    "Cache-Control": "no-store",
    // simplejwt's views name their scheme on every 401.
    ...(refusal.status === 401 ? { "WWW-Authenticate": 'Bearer realm="api"' } : {}),
    ...headers,
    ...(retryAfter === undefined ? {} : { "Retry-After": retryAfter }),
  });
}
