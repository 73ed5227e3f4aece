// The native shapes of what the admin API answers: snake_case, ISO 8601 times, metadata only (never a
// password hash, TOTP secret, code hash or key hash). RPC's admin methods answer the same shapes.

import type { SecondFactorReset } from "../services/admin-actions";
import type { UserDetail } from "../services/admin-user-service";
import type { User } from "../services/model";
import { toPublicApiKey } from "./api-key-views";
import { toPublicUser } from "./views";

const isoTime = (seconds: number) => new Date(seconds * 1000).toISOString();
const isoOrNull = (seconds: number | null) => (seconds === null ? null : isoTime(seconds));

export type AdminUserView = ReturnType<typeof toAdminUser>;
export type AdminUserDetailView = ReturnType<typeof toAdminUserDetail>;

export function toAdminUser(user: User) {
  return {
    ...toPublicUser(user),
    disabled: user.disabled,
    has_password: user.hasPassword,
    sms_mfa_enabled: user.smsMfaEnabled,
  };
}

export function toAdminUserDetail(detail: UserDetail) {
  const { totp } = detail.factors;
  return {
    user: toAdminUser(detail.user),
    sessions: detail.sessions.map((session) => ({
      id: session.id,
      created_at: isoTime(session.createdAt),
      last_used_at: isoTime(session.lastUsedAt),
      expires_at: isoTime(session.expiresAt),
      user_agent: session.userAgent,
      ip: session.ip,
      amr: session.amr,
    })),
    identities: detail.identities.map((identity) => ({
      id: identity.id,
      provider: identity.provider,
      subject: identity.subject,
      email: identity.email,
      email_verified: identity.emailVerified,
      created_at: isoTime(identity.createdAt),
      last_used_at: isoOrNull(identity.lastUsedAt),
    })),
    factors: {
      totp: totp
        ? {
            confirmed: totp.confirmed,
            created_at: isoTime(totp.createdAt),
            confirmed_at: isoOrNull(totp.confirmedAt),
            locked_until: isoOrNull(totp.lockedUntil),
          }
        : null,
      recovery_codes_remaining: detail.factors.unusedRecoveryCodes,
      sms_sign_in: detail.factors.smsSignIn,
    },
    api_keys: detail.apiKeys.map(toPublicApiKey),
  };
}

export function toMfaResetView(reset: SecondFactorReset) {
  return {
    totp_removed: reset.totpRemoved,
    recovery_codes_removed: reset.recoveryCodesRemoved,
    sms_sign_in_was_on: reset.smsSignInWasOn,
    challenges_ended: reset.challengesEnded,
  };
}
