// The Worker's bindings and variables as wrangler.toml and secrets provide them. Values are raw
// strings here; src/config.ts turns them into a typed Config and refuses anything wrong.

export interface Bindings {
  DB: D1Database;
  KV: KVNamespace;
  RATE_LIMIT_IP: RateLimit;
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
}
