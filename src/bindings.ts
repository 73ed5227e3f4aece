// The Worker's bindings and variables as wrangler.toml and secrets provide them. Values are raw
// strings here; src/config.ts turns them into a typed Config and refuses anything wrong.

export interface Bindings {
  DB: D1Database;
  KV: KVNamespace;
  RATE_LIMIT_IP: RateLimit;
  /** Per-address limit on endpoints that send mail, and per number and account on those that send SMS. */
  RATE_LIMIT_MAIL: RateLimit;
  /** Per submitted email or username (keyed hash) on login and sign-up. */
  RATE_LIMIT_IDENTIFIER: RateLimit;
  /** Per API key, on every request a key authenticates. */
  RATE_LIMIT_API_KEY: RateLimit;
  ISSUER?: string;
  AUDIENCE?: string;
  /** Secret: a JWK set of private signing keys; the first signs. */
  SIGNING_KEYS?: string;
  ACCESS_TOKEN_TTL_SECONDS?: string;
  SESSION_IDLE_TIMEOUT_SECONDS?: string;
  SESSION_ABSOLUTE_TTL_SECONDS?: string;
  REFRESH_REUSE_GRACE_SECONDS?: string;
  REFRESH_TOKEN_TRANSPORT?: string;
  CORS_ORIGINS?: string;
  PASSWORD_SCRYPT?: string;
  PASSWORD_MIN_LENGTH?: string;
  PASSWORD_MAX_LENGTH?: string;
  EMAIL_VERIFICATION?: string;
  /** Secret: HMAC key (32+ characters) for one-time codes and mail links. */
  OTP_SECRET?: string;
  /** Secret: HMAC key (32+ characters) under which API keys are stored. */
  API_KEY_SECRET?: string;
  OTP_CODE_LENGTH?: string;
  OTP_TTL_SECONDS?: string;
  OTP_MAX_ATTEMPTS?: string;
  /** Secret: 32 random bytes (base64url or base64), the AES-256-GCM key for TOTP secrets at rest. */
  TOTP_ENCRYPTION_KEY?: string;
  VERIFY_EMAIL_URL?: string;
  RESET_PASSWORD_URL?: string;
  MAIL_PROVIDER?: string;
  /** Secret: the mail provider's API key. */
  MAIL_API_KEY?: string;
  MAIL_FROM?: string;
  MAIL_PRODUCT_NAME?: string;
  MAILGUN_DOMAIN?: string;
  MAILGUN_REGION?: string;
  MAIL_TIMEOUT_MS?: string;
  /** twilio | vonage | outbox | none; required unless ISSUER is localhost (then outbox). */
  SMS_PROVIDER?: string;
  /** E.164 number, alphanumeric sender ID, or (Twilio) a Messaging Service SID. */
  SMS_FROM?: string;
  SMS_TIMEOUT_MS?: string;
  TWILIO_ACCOUNT_SID?: string;
  /** Secret: Twilio's auth token. */
  TWILIO_AUTH_TOKEN?: string;
  VONAGE_API_KEY?: string;
  /** Secret: Vonage's API secret. */
  VONAGE_API_SECRET?: string;
  /** "true" turns on GET /dev/outbox; refused unless ISSUER is localhost. Set only in .dev.vars. */
  DEV_OUTBOX?: string;
  /** Comma list of the dialects served (crema, bookings, nap, wolfpal, bioentrust); none when unset. */
  DIALECTS?: string;
  /** Each dialect's mount prefix ("" by default: its own documented paths). */
  DIALECT_CREMA_PREFIX?: string;
  DIALECT_BOOKINGS_PREFIX?: string;
  DIALECT_NAP_PREFIX?: string;
  DIALECT_WOLFPAL_PREFIX?: string;
  DIALECT_BIOENTRUST_PREFIX?: string;
  /** Policy knobs of the dialects (src/config/dialects-env.ts). */
  DIALECT_BOOKINGS_UNKNOWN_RESET?: string;
  DIALECT_WOLFPAL_UNCONFIRMED_LOGIN?: string;
  /** Secret: comma list of NAP client keys (X-NAP-API-Key); none configured, none required. */
  DIALECT_NAP_API_KEYS?: string;
  DIALECT_BIOENTRUST_PRODUCT_NAME?: string;
  /** Days a security event is kept (1..3650, default 90). */
  SECURITY_EVENT_RETENTION_DAYS?: string;
  /** Social login (src/config/oauth-env.ts): comma list of exact URLs a redirect flow may return to. */
  OAUTH_REDIRECT_ALLOWLIST?: string;
  OAUTH_TIMEOUT_MS?: string;
  /** "true": the built-in dev identity provider at /dev/idp (local ISSUER only). */
  OAUTH_DEV_PROVIDER?: string;
  /** `name=https://issuer` pairs of generic OIDC providers; each then needs OAUTH_<NAME>_CLIENT_ID/_SECRET. */
  OAUTH_OIDC_PROVIDERS?: string;
  OAUTH_GOOGLE_CLIENT_ID?: string;
  /** Secret. */
  OAUTH_GOOGLE_CLIENT_SECRET?: string;
  /** Further client ids (iOS, Android) whose ID tokens are accepted; likewise for each provider. */
  OAUTH_GOOGLE_AUDIENCES?: string;
  OAUTH_GITHUB_CLIENT_ID?: string;
  /** Secret. */
  OAUTH_GITHUB_CLIENT_SECRET?: string;
  OAUTH_MICROSOFT_CLIENT_ID?: string;
  /** Secret. */
  OAUTH_MICROSOFT_CLIENT_SECRET?: string;
  /** The Entra tenant id (a GUID). */
  OAUTH_MICROSOFT_TENANT?: string;
  /** The Services ID. */
  OAUTH_APPLE_CLIENT_ID?: string;
  OAUTH_APPLE_TEAM_ID?: string;
  OAUTH_APPLE_KEY_ID?: string;
  /** Secret: the PKCS#8 PEM key Apple issued, which signs the client secret JWT. */
  OAUTH_APPLE_PRIVATE_KEY?: string;
  /** Organization domain verification (src/config/org-domains-env.ts): the DNS-over-HTTPS JSON endpoint, and its deadline. */
  ORG_DNS_RESOLVER_URL?: string;
  ORG_DNS_TIMEOUT_MS?: string;
}
