// The closed set of error codes every layer speaks; routes map them to HTTP in one place.

/** Codes a dialect route can produce: every dialect words each one. */
export const DIALECT_ERROR_CODES = [
  "invalid_request",
  "malformed_body",
  "unsupported_media_type",
  "payload_too_large",
  "not_found",
  "method_not_allowed",
  "invalid_credentials",
  "invalid_token",
  "invalid_refresh_token",
  "email_taken",
  "username_taken",
  "weak_password",
  "invalid_code",
  "code_expired",
  "email_not_verified",
  "invalid_mfa_token",
  "invalid_mfa_code",
  "mfa_locked",
  "totp_not_enabled",
  "totp_already_enabled",
  "mail_unavailable",
  "sms_unavailable",
  "phone_not_verified",
  "sms_mfa_enabled",
  "session_not_found",
  "user_not_found",
  "invalid_api_key",
  "insufficient_scope",
  "forbidden_origin",
  "rate_limited",
  "service_unavailable",
  "internal_error",
] as const;

/**
 * Codes only the native API's own routes answer (key management, and later organizations, the admin
 * API, social login): no dialect route produces one, so a dialect need not word each. Should one reach
 * a dialect anyway, it answers at the native status in that dialect's generic shape (dialectRefusal).
 * A new code that a dialect route can produce belongs in DIALECT_ERROR_CODES, worded by every dialect.
 */
export const NATIVE_ONLY_ERROR_CODES = [
  "api_key_not_found",
  "api_key_rolled",
  "too_many_api_keys",
  "oauth_provider_not_found",
  "oauth_redirect_not_allowed",
  "oauth_state_invalid",
  "oauth_credential_invalid",
  "oauth_access_denied",
  "oauth_email_unverified",
  "oauth_identity_taken",
  "oauth_provider_unavailable",
  "oauth_identity_not_found",
  "oauth_last_sign_in_method",
  "org_not_found",
  "org_slug_taken",
  "org_forbidden",
  "member_not_found",
  "last_owner",
  "invitation_not_found",
  "invalid_invitation",
  "invitation_email_mismatch",
  "already_member",
  "domain_not_found",
  "domain_taken",
  "public_mail_domain",
  "domain_verification_failed",
  "flow_not_found",
  "batch_too_large",
] as const;

export const ERROR_CODES = [...DIALECT_ERROR_CODES, ...NATIVE_ONLY_ERROR_CODES] as const;

export type DialectErrorCode = (typeof DIALECT_ERROR_CODES)[number];
export type NativeOnlyErrorCode = (typeof NATIVE_ONLY_ERROR_CODES)[number];
export type ErrorCode = DialectErrorCode | NativeOnlyErrorCode;

const NATIVE_ONLY: ReadonlySet<string> = new Set(NATIVE_ONLY_ERROR_CODES);
export const isNativeOnly = (code: ErrorCode): code is NativeOnlyErrorCode => NATIVE_ONLY.has(code);

/** Why an access token was refused (also RPC's verifyToken codes); `verifier_unavailable` is an outage. */
export type TokenRejection =
  | "token_malformed"
  | "token_expired"
  | "token_invalid"
  | "token_revoked"
  | "verifier_unavailable";

/**
 * One field that failed validation. Services name fields by the domain's camelCase key (`newEmail`,
 * `mfaToken`; `input` for the request as a whole); each surface maps the key to its own field name
 * (the native API to snake_case, `body` for the whole). Request validation names wire fields itself.
 */
export interface FieldIssue {
  field: string;
  message: string;
}

/** An expected failure a service returns; `reason` is for logs only and never reaches the wire. */
export interface Failure {
  code: ErrorCode;
  issues?: FieldIssue[];
  reason?: string;
  /** For a refusal that lifts by itself (429): when to try again, sent as Retry-After. */
  retryAfterSeconds?: number;
  /**
   * For invalid_token: why the token was refused (absent when none was presented), for a surface
   * whose wire names it (a dialect's "Token has expired"). A dead session counts as revoked.
   */
  tokenRejection?: TokenRejection;
}

export type Result<T> = { ok: true; value: T } | { ok: false; error: Failure };

export function succeed<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(code: ErrorCode, extra: Omit<Failure, "code"> = {}): Result<T> {
  return { ok: false, error: { code, ...extra } };
}

/** Thrown only where a failure must cross a boundary that cannot return a Result (middleware). */
export class AppError extends Error {
  override readonly name = "AppError";
  constructor(
    readonly failure: Failure,
    options?: { cause?: unknown },
  ) {
    super(failure.code, options);
  }
}
