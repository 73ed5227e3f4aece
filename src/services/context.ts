// What every service receives: parsed config, stores and keys. Built once per isolate in src/context.ts.

import type { Config, MailConfig, SmsConfig } from "../config";
import type { KeySet } from "../crypto/signing-keys";
import type { Mailer } from "../mail/mailer";
import type { SmsSender } from "../sms/sms-sender";
import type { Database } from "../storage/database";
import type { SessionWindow } from "../storage/session-store";
import type { RateLimiters } from "./abuse-limits";

export interface ServiceContext {
  config: Config;
  db: Database;
  kv: KVNamespace;
  keys: KeySet;
  /** HMAC key for one-time codes and mail links (from OTP_SECRET). */
  otpKey: CryptoKey;
  /** HMAC key under which API keys are stored (from API_KEY_SECRET). */
  apiKeyHashKey: CryptoKey;
  /** AES-256-GCM key for TOTP secrets at rest (from TOTP_ENCRYPTION_KEY). */
  totpKey: CryptoKey;
  /** The same object as config.mail. */
  mail: MailConfig;
  mailer: Mailer;
  /** The same object as config.sms. */
  sms: SmsConfig;
  smsSender: SmsSender;
  rateLimiters: RateLimiters;
  /**
   * Unix seconds: the one clock for services, stores and access-token checks (jose is handed it).
   * It reads Date at each call, so a test moves it for the Worker it calls with vi.setSystemTime.
   */
  now: () => number;
}

/** Who is calling, as recorded on a new session, and the shape of a session this request opens. */
export interface ClientInfo {
  userAgent: string | null;
  ip: string | null;
  /**
   * false: the session's refresh token stays the same for its whole life (for legacy clients that
   * never store a new one; no reuse detection is possible then). Default true: rotated on every use.
   */
  rotatesRefreshToken?: boolean;
}

export function sessionWindow(context: ServiceContext): SessionWindow {
  return { now: context.now(), idleTimeoutSeconds: context.config.sessionIdleTimeoutSeconds };
}

/** Per-request hooks a service may need: work that must finish after the response is sent. */
export interface RequestScope {
  defer(task: Promise<unknown>): void;
  /** Who is calling, for the security event log (absent where no HTTP client exists, e.g. RPC). */
  client?: { ip: string | null; userAgent: string | null };
}
