// Abuse limits as a property of the operation, not of the route: every surface (the native API, a
// dialect, a link page) that performs an operation gets the same gates in the same order. The first
// gate, per client IP, runs before the request body is read (`admitClient`, from the route's
// middleware); the gates that need the input (identifier, address, account, number) run in the
// service itself (`admitSubject`), so a surface cannot skip them. All use the Workers Rate Limiting
// binding. Keys never hold an address or number in the clear, and unknown subjects are limited
// exactly like known ones, so a 429 reveals nothing about accounts.

import { hashOneTimeSecret } from "../crypto/one-time-code";
import { sha256Base64Url } from "../crypto/random";
import { fail, type Result, succeed } from "../errors";
import type { ServiceContext } from "./context";
import { normalizeEmail } from "./identifiers";
import { rateLimitKeyOfIp } from "./ip-address";

/** The bindings: per client IP, per mail or SMS recipient and account, per login identifier. */
export interface RateLimiters {
  ip: RateLimit;
  mail: RateLimit;
  identifier: RateLimit;
  /** Per API key (its id), on every request the key authenticates. */
  apiKey: RateLimit;
}

interface OperationLimits {
  /** RATE_LIMIT_IP bucket (60 a minute per client). */
  ip?: string;
  /** RATE_LIMIT_IDENTIFIER bucket per submitted email or username (30 a minute). */
  identifier?: string;
  /** RATE_LIMIT_MAIL bucket per recipient address (3 a minute). */
  address?: string;
  /** RATE_LIMIT_MAIL bucket per asking account (3 a minute). */
  account?: string;
  /** Texts: per number and per account on RATE_LIMIT_MAIL (3 a minute each). */
  sms?: boolean;
}

/** Every operation any surface performs, with its gates; bucket names are the limiter's key prefixes. */
export const OPERATION_LIMITS = {
  sign_up: { ip: "signup", identifier: "signup", address: "signup" },
  log_in: { ip: "login", identifier: "login" },
  refresh_session: { ip: "refresh" },
  end_session: { ip: "refresh" },
  redeem_code: { ip: "code" },
  resend_verification: { ip: "mail", address: "verify" },
  request_password_reset: { ip: "mail", address: "reset" },
  second_factor: { ip: "mfa" },
  send_sms_mfa_code: { ip: "mfa", sms: true },
  send_phone_code: { ip: "sms", sms: true },
  recheck_password: { ip: "password" },
  change_email: { address: "change", account: "change" },
  exchange_api_key: { ip: "oauth-token" },
  social_sign_in: { ip: "social" },
} as const satisfies Record<string, OperationLimits>;

export type Operation = keyof typeof OPERATION_LIMITS;

/** What an operation's input-dependent gates are keyed on (each gate uses what it needs). */
export interface LimitSubject {
  /** The canonical login identifier (`email:<normalized>` / `username:<normalized>`). */
  identifier?: string;
  email?: string;
  userId?: string;
  /** E.164 */
  phone?: string;
}

async function admit(limiter: RateLimit, key: string, what: string): Promise<Result<void>> {
  const { success } = await limiter.limit({ key });
  return success ? succeed(undefined) : fail("rate_limited", { reason: `${what} limit` });
}

/** The per-IP gate of `operation` (an IPv6 client by its /64; no address shares the "unknown" bucket). */
export function admitClient(context: ServiceContext, operation: Operation, ip: string | null): Promise<Result<void>> {
  const bucket: string | undefined = (OPERATION_LIMITS[operation] as OperationLimits).ip;
  if (!bucket) return Promise.resolve(succeed(undefined));
  const key = ip ? rateLimitKeyOfIp(ip) : "unknown";
  return admit(context.rateLimiters.ip, `${bucket}:${key}`, `ip on ${bucket}`);
}

/**
 * The gates of `operation` that depend on its input, in a fixed order: identifier, address, account,
 * number. The first refusal stops the rest (a refused request spends no further budget).
 */
export async function admitSubject(
  context: ServiceContext,
  operation: Operation,
  subject: LimitSubject,
): Promise<Result<void>> {
  const limits: OperationLimits = OPERATION_LIMITS[operation];
  const gates: (() => Promise<Result<void>>)[] = [];
  const { identifier, email, userId, phone } = subject;
  if (limits.identifier && identifier !== undefined) {
    const bucket = limits.identifier;
    gates.push(async () => {
      const key = await hashOneTimeSecret(context.otpKey, "rate_limit", identifier);
      return admit(context.rateLimiters.identifier, `${bucket}:${key}`, `identifier on ${bucket}`);
    });
  }
  if (limits.address && email !== undefined) {
    const bucket = limits.address;
    gates.push(async () => {
      const key = await sha256Base64Url(normalizeEmail(email) ?? email.trim().toLowerCase());
      return admit(context.rateLimiters.mail, `${bucket}:${key}`, `address on ${bucket}`);
    });
  }
  if (limits.account && userId !== undefined) {
    const bucket = limits.account;
    gates.push(() => admit(context.rateLimiters.mail, `${bucket}-account:${userId}`, `account on ${bucket}`));
  }
  if (limits.sms && phone !== undefined && userId !== undefined) {
    gates.push(async () =>
      admit(context.rateLimiters.mail, `sms-number:${await sha256Base64Url(phone)}`, "SMS number"),
    );
    gates.push(() => admit(context.rateLimiters.mail, `sms-account:${userId}`, "SMS account"));
  }
  for (const gate of gates) {
    const admitted = await gate();
    if (!admitted.ok) return admitted;
  }
  return succeed(undefined);
}
