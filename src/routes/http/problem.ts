// The one mapping from error codes to HTTP: RFC 9457 problem details with a stable `code`.

import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ErrorCode, Failure } from "../../errors";

const PROBLEMS: Record<ErrorCode, { status: ContentfulStatusCode; title: string }> = {
  invalid_request: { status: 400, title: "The request is invalid" },
  malformed_body: { status: 400, title: "The request body could not be parsed" },
  unsupported_media_type: { status: 415, title: "Send application/json or application/x-www-form-urlencoded" },
  payload_too_large: { status: 413, title: "The request body is too large" },
  not_found: { status: 404, title: "Not found" },
  method_not_allowed: { status: 405, title: "Method not allowed" },
  invalid_credentials: { status: 401, title: "Invalid credentials" },
  invalid_token: { status: 401, title: "The access token is missing, invalid, expired or revoked" },
  invalid_refresh_token: { status: 401, title: "The refresh token is invalid, expired or revoked" },
  email_taken: { status: 409, title: "An account with this email already exists" },
  username_taken: { status: 409, title: "This username is taken" },
  weak_password: { status: 400, title: "The password does not meet the policy" },
  invalid_code: { status: 400, title: "The code is wrong, or no longer valid: request a new one if it expired" },
  code_expired: { status: 400, title: "The code or link is no longer valid; request a new one" },
  email_not_verified: { status: 403, title: "Verify your email address first" },
  invalid_mfa_token: { status: 401, title: "The MFA token is invalid, used, expired or out of attempts; log in again" },
  invalid_mfa_code: { status: 400, title: "The second-factor code is wrong or was already used" },
  mfa_locked: { status: 429, title: "Too many wrong codes: the second factor is locked for a while" },
  totp_not_enabled: { status: 404, title: "No authenticator app is set up for this account" },
  totp_already_enabled: { status: 409, title: "An authenticator app is already set up; remove it first" },
  mail_unavailable: { status: 503, title: "Mail could not be sent; try again shortly" },
  sms_unavailable: { status: 503, title: "The text message could not be sent; try again shortly" },
  phone_not_verified: { status: 403, title: "Verify your phone number first" },
  sms_mfa_enabled: {
    status: 409,
    title: "Sign-in codes go to this number; turn SMS sign-in off (it needs the password) before changing it",
  },
  session_not_found: { status: 404, title: "No such session" },
  user_not_found: { status: 404, title: "No such user" },
  invalid_api_key: { status: 401, title: "The API key is missing, invalid, expired or revoked" },
  insufficient_scope: { status: 403, title: "The credential does not hold the scope this needs" },
  api_key_not_found: { status: 404, title: "No such API key" },
  api_key_rolled: { status: 409, title: "This key was already rolled; roll its successor" },
  too_many_api_keys: {
    status: 409,
    title: "The account or organization holds as many API keys as it may; revoke one first",
  },
  oauth_provider_not_found: { status: 404, title: "No such sign-in provider is configured" },
  oauth_redirect_not_allowed: { status: 400, title: "redirect_to is not an allowed return address" },
  oauth_state_invalid: { status: 400, title: "The sign-in was not started in this browser, was used, or expired" },
  oauth_credential_invalid: { status: 401, title: "The provider credential is invalid, expired or not issued to us" },
  oauth_access_denied: { status: 403, title: "The sign-in was declined at the provider" },
  oauth_email_unverified: {
    status: 403,
    title: "The provider did not assert a verified email; sign in another way and link this account",
  },
  oauth_identity_taken: { status: 409, title: "This external account is already linked to another account" },
  oauth_provider_unavailable: { status: 503, title: "The sign-in provider could not be reached; try again shortly" },
  oauth_identity_not_found: { status: 404, title: "No external account of this provider is linked" },
  oauth_last_sign_in_method: {
    status: 409,
    title: "This is the account's last way to sign in; set a password or link another account first",
  },
  org_not_found: { status: 404, title: "No such organization" },
  org_slug_taken: { status: 409, title: "This organization slug is taken" },
  org_forbidden: { status: 403, title: "Your role in this organization does not allow this" },
  member_not_found: { status: 404, title: "No such member of this organization" },
  last_owner: { status: 409, title: "The last owner cannot leave or be demoted; make another owner first" },
  invitation_not_found: { status: 404, title: "No such pending invitation" },
  invalid_invitation: { status: 400, title: "The invitation is unknown, expired, revoked or already used" },
  invitation_email_mismatch: { status: 403, title: "This invitation is for another email address" },
  already_member: { status: 409, title: "This user is already a member of the organization" },
  domain_not_found: { status: 404, title: "No such email domain of this organization" },
  domain_taken: {
    status: 409,
    title: "This domain is already added to this organization, or verified by another one",
  },
  public_mail_domain: { status: 400, title: "Anyone can get an address at this mail domain: it cannot be claimed" },
  domain_verification_failed: {
    status: 400,
    title: "The TXT record at _edge-auth.<domain> was not found or does not hold this domain's value",
  },
  flow_not_found: { status: 404, title: "The sign-in flow is unknown, used or expired; log in again" },
  forbidden_origin: { status: 403, title: "This origin may not make this request" },
  rate_limited: { status: 429, title: "Too many requests" },
  service_unavailable: { status: 503, title: "The service is temporarily unavailable" },
  internal_error: { status: 500, title: "Internal error" },
  batch_too_large: { status: 400, title: "Too many rows in one import call (at most 500)" },
};

/** The native status of a code, which a dialect keeps for a code it does not word (dialectRefusal). */
export const problemStatus = (code: ErrorCode): ContentfulStatusCode => PROBLEMS[code].status;

/**
 * The native API's names for the domain keys services use in field issues. Only these are renamed:
 * request validation already names the wire's own fields (an unknown `emailVerified` stays that).
 */
const NATIVE_FIELD_NAMES = new Map<string, string>([
  ["input", "body"],
  ["newEmail", "new_email"],
  ["newPassword", "new_password"],
  ["currentPassword", "current_password"],
  ["mfaToken", "mfa_token"],
  ["firstName", "first_name"],
  ["lastName", "last_name"],
  ["requestId", "otp_request_id"],
]);

// A Map, not an object: a field named "__proto__" or "constructor" must map to itself.
export const nativeFieldName = (field: string): string => NATIVE_FIELD_NAMES.get(field) ?? field;

/** The log line of a refusal: its code and reason, which never reach the wire. Every surface writes it. */
export function logRefusal(failure: Failure): void {
  if (failure.reason) console.log(JSON.stringify({ event: "refused", code: failure.code, reason: failure.reason }));
}

/** Retry-After (RFC 9110 §10.2.3) for a refusal that lifts by itself; every surface sends it. */
export function retryAfterOf(failure: Failure): string | undefined {
  if (failure.retryAfterSeconds !== undefined) return String(Math.ceil(failure.retryAfterSeconds));
  return failure.code === "rate_limited" || failure.code === "mfa_locked" ? "60" : undefined;
}

export function problemResponse(c: Context, failure: Failure, headers: Record<string, string> = {}): Response {
  const { status, title } = PROBLEMS[failure.code];
  logRefusal(failure);
  const body = {
    type: `urn:edge-auth:error:${failure.code}`,
    title,
    status,
    code: failure.code,
    ...(failure.issues && failure.issues.length > 0
      ? { errors: failure.issues.map((issue) => ({ ...issue, field: nativeFieldName(issue.field) })) }
      : {}),
  };
  const extra: Record<string, string> = { ...headers };
  if (failure.code === "invalid_token") extra["WWW-Authenticate"] = 'Bearer realm="edge-auth", error="invalid_token"';
  // RFC 6750 §3.1: an API key is presented as a Bearer credential too.
  if (failure.code === "invalid_api_key") extra["WWW-Authenticate"] = 'Bearer realm="edge-auth", error="invalid_token"';
  if (failure.code === "insufficient_scope") {
    extra["WWW-Authenticate"] = 'Bearer realm="edge-auth", error="insufficient_scope"';
  }
  const retryAfter = retryAfterOf(failure);
  if (retryAfter !== undefined) extra["Retry-After"] = retryAfter;
  return c.body(JSON.stringify(body), status, {
    "Content-Type": "application/problem+json",
    "Cache-Control": "no-store",
    ...extra,
  });
}
