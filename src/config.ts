// Reads `env` once into the one typed Config. Each variable has one zod schema in one section of
// src/config/: ISSUER first, since it decides where the dev-only switches may be on, then core, mail,
// SMS, DEV_OUTBOX and the dialects. Anything missing or out of range throws one ConfigError naming
// every bad variable (never its value), so a misconfigured Worker stops instead of running open.

import { ConfigError, parseSection } from "./config/config-error";
import { CoreEnv } from "./config/core-env";
import {
  type DialectMount,
  type DialectPolicy,
  dialectsSignInUnverified,
  parseDialectPolicyEnv,
  parseDialectsEnv,
} from "./config/dialects-env";
import { parseFirebaseScryptEnv } from "./config/firebase-scrypt-env";
import { issuerFacts, parseDevOutboxEnv, parseIssuerEnv } from "./config/issuer-env";
import { type MailConfig, parseMailEnv } from "./config/mail-env";
import { parseOAuthDevEnv, withDevProvider } from "./config/oauth-dev-env";
import { type OAuthConfig, parseOAuthEnv } from "./config/oauth-env";
import { type OrgDomainsConfig, parseOrgDomainsEnv } from "./config/org-domains-env";
import { parseSecurityEventsEnv, type SecurityEventsConfig } from "./config/security-events-env";
import { parseSmsEnv, type SmsConfig } from "./config/sms-env";
import type { FirebaseScryptParams } from "./crypto/legacy-hashes/firebase-scrypt";
import type { ScryptParams } from "./crypto/scrypt";
import type { PrivateSigningJwk } from "./crypto/signing-keys";

export { ConfigError } from "./config/config-error";
export type { DialectMount, DialectName, DialectPolicy } from "./config/dialects-env";
export type { MailConfig, MailProvider } from "./config/mail-env";
export type { OAuthConfig, OAuthProvider } from "./config/oauth-env";
export type { SecurityEventsConfig } from "./config/security-events-env";
export type { SmsConfig, SmsProvider } from "./config/sms-env";

export interface Config {
  issuer: string;
  audience: string;
  signingKeys: PrivateSigningJwk[];
  accessTokenTtlSeconds: number;
  sessionIdleTimeoutSeconds: number;
  sessionAbsoluteTtlSeconds: number;
  refreshReuseGraceSeconds: number;
  /** How long an isolate reuses a denylist answer for /v1/token/verify and RPC (0: read KV each time). */
  denylistCacheTtlSeconds: number;
  /** Seconds an isolate reuses an API-key lookup (0: a D1 read per use); see src/storage/api-key-cache.ts. */
  apiKeyCacheTtlSeconds: number;
  refreshTokenTransport: "body" | "cookie";
  corsOrigins: string[];
  passwordScrypt: ScryptParams;
  passwordMinLength: number;
  passwordMaxLength: number;
  /** "required": sign-up answers a code request and no session until the address is verified. */
  emailVerification: "required" | "optional";
  otpSecret: string;
  /** HMAC key (32+ characters) under which API keys are stored. */
  apiKeySecret: string;
  otpCodeLength: number;
  otpTtlSeconds: number;
  otpMaxAttempts: number;
  /** AES-256-GCM key for TOTP secrets at rest (32 bytes). */
  totpEncryptionKey: Uint8Array;
  /** Pages mail links point to (token in the query): the app's, or this Worker's own. */
  links: { verifyEmail: string; resetPassword: string };
  /** MAIL_*: the provider and what it needs, the product name, the deadline. */
  mail: MailConfig;
  /** SMS_* and the provider's credentials. */
  sms: SmsConfig;
  /** DEV_OUTBOX: GET /dev/outbox answers and the dev outboxes print codes and links (local ISSUER only). */
  devOutbox: boolean;
  /** DIALECTS and DIALECT_<NAME>_PREFIX: the older APIs served beside /v1, and where. None by default. */
  dialects: DialectMount[];
  /** DIALECT_<NAME>_<KNOB>: the choices each dialect's document leaves to us. */
  dialectPolicy: DialectPolicy;
  /**
   * Some surface signs accounts in before their address is verified (EMAIL_VERIFICATION=optional,
   * or a dialect that does): a never-verified account may then be someone's account in use, and a
   * later sign-up for its address must not replace it.
   */
  unverifiedSignIn: boolean;
  /** OAUTH_*: social-login providers, the redirect allowlist, the provider deadline. */
  oauth: OAuthConfig;
  /** SECURITY_EVENT_RETENTION_DAYS: how long the security event log keeps an event. */
  securityEvents: SecurityEventsConfig;
  /** FIREBASE_SCRYPT_*: a Firebase project's password hash parameters, for imported accounts (null: none). */
  firebaseScrypt: FirebaseScryptParams | null;
  /** ORG_DNS_*: the DNS-over-HTTPS resolver organization domain verification asks, and its deadline. */
  orgDomains: OrgDomainsConfig;
}

export function parseConfig(env: Record<string, unknown>): Config {
  const issuer = parseIssuerEnv(env);
  const facts = issuerFacts(issuer);
  const core = parseSection(CoreEnv, env);
  const mail = parseMailEnv(env, facts);
  const sms = parseSmsEnv(env, facts);
  const devOutbox = parseDevOutboxEnv(env, facts);
  const dialects = parseDialectsEnv(env);
  const dialectPolicy = parseDialectPolicyEnv(env);
  const oauth = parseOAuthEnv(env);
  const oauthDev = parseOAuthDevEnv(env, facts);
  const securityEvents = parseSecurityEventsEnv(env);
  const firebaseScrypt = parseFirebaseScryptEnv(env);
  const orgDomains = parseOrgDomainsEnv(env);
  if (
    !issuer.ok ||
    !core.ok ||
    !mail.ok ||
    !sms.ok ||
    !devOutbox.ok ||
    !dialects.ok ||
    !dialectPolicy.ok ||
    !oauth.ok ||
    !oauthDev.ok ||
    !securityEvents.ok ||
    !firebaseScrypt.ok ||
    !orgDomains.ok
  ) {
    const problems = [
      issuer,
      core,
      mail,
      sms,
      devOutbox,
      dialects,
      dialectPolicy,
      oauth,
      oauthDev,
      securityEvents,
      firebaseScrypt,
      orgDomains,
    ].flatMap((section) => (section.ok ? [] : section.problems));
    throw new ConfigError(`invalid configuration: ${problems.join("; ")}`);
  }
  const vars = core.value;
  return {
    issuer: issuer.value,
    audience: vars.AUDIENCE,
    signingKeys: vars.SIGNING_KEYS,
    accessTokenTtlSeconds: vars.ACCESS_TOKEN_TTL_SECONDS,
    sessionIdleTimeoutSeconds: vars.SESSION_IDLE_TIMEOUT_SECONDS,
    sessionAbsoluteTtlSeconds: vars.SESSION_ABSOLUTE_TTL_SECONDS,
    refreshReuseGraceSeconds: vars.REFRESH_REUSE_GRACE_SECONDS,
    denylistCacheTtlSeconds: vars.DENYLIST_CACHE_TTL_SECONDS,
    apiKeyCacheTtlSeconds: vars.API_KEY_CACHE_TTL_SECONDS,
    refreshTokenTransport: vars.REFRESH_TOKEN_TRANSPORT,
    corsOrigins: vars.CORS_ORIGINS,
    passwordScrypt: vars.PASSWORD_SCRYPT,
    passwordMinLength: vars.PASSWORD_MIN_LENGTH,
    passwordMaxLength: vars.PASSWORD_MAX_LENGTH,
    emailVerification: vars.EMAIL_VERIFICATION,
    otpSecret: vars.OTP_SECRET,
    apiKeySecret: vars.API_KEY_SECRET,
    otpCodeLength: vars.OTP_CODE_LENGTH,
    otpTtlSeconds: vars.OTP_TTL_SECONDS,
    otpMaxAttempts: vars.OTP_MAX_ATTEMPTS,
    totpEncryptionKey: vars.TOTP_ENCRYPTION_KEY,
    links: {
      verifyEmail: vars.VERIFY_EMAIL_URL ?? `${issuer.value}/verify-email`,
      resetPassword: vars.RESET_PASSWORD_URL ?? `${issuer.value}/reset-password`,
    },
    mail: mail.value,
    sms: sms.value,
    devOutbox: devOutbox.value,
    dialects: dialects.value,
    dialectPolicy: dialectPolicy.value,
    unverifiedSignIn:
      vars.EMAIL_VERIFICATION === "optional" || dialectsSignInUnverified(dialects.value, dialectPolicy.value),
    // OAUTH_DEV_PROVIDER appends the built-in dev identity provider (local ISSUER only).
    oauth: withDevProvider(oauth.value, oauthDev.value, issuer.value),
    securityEvents: securityEvents.value,
    firebaseScrypt: firebaseScrypt.value,
    orgDomains: orgDomains.value,
  };
}
