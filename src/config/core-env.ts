// The core section of Config: audience, signing keys, token and session lifetimes, CORS, password
// and one-time-code policy, the TOTP key and the pages mail links point to. ISSUER is read before it.

import * as z from "zod";
import { decodeBase64, decodeBase64Url } from "../crypto/encoding";
import { parseScryptSettings } from "../crypto/password-hash";
import type { PrivateSigningJwk } from "../crypto/signing-keys";

const integer = (min: number, max: number, fallback: number) =>
  z
    .string()
    .regex(/^\d+$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(min).max(max))
    .optional()
    .transform((value) => value ?? fallback);

const signingJwk = z.union([
  z.object({
    kty: z.literal("EC"),
    crv: z.literal("P-256"),
    alg: z.literal("ES256"),
    kid: z.string().min(1).max(128),
    x: z.string().min(1),
    y: z.string().min(1),
    d: z.string().min(1),
  }),
  z.object({
    kty: z.literal("OKP"),
    crv: z.literal("Ed25519"),
    alg: z.literal("EdDSA"),
    kid: z.string().min(1).max(128),
    x: z.string().min(1),
    d: z.string().min(1),
  }),
]);

const signingKeySet = z
  .string()
  .transform((text, context) => {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      context.addIssue({ code: "custom", message: "is not JSON" });
      return z.NEVER;
    }
  })
  .pipe(z.object({ keys: z.array(signingJwk).min(1) }))
  .refine((set) => new Set(set.keys.map((key) => key.kid)).size === set.keys.length, "has duplicate kid values")
  .transform((set) => set.keys as PrivateSigningJwk[]);

const origin = z.string().refine((value) => {
  try {
    return new URL(value).origin === value;
  } catch {
    return false;
  }
}, "must list origins like https://app.example.com");

/** 32 bytes as base64url or base64 (what `openssl rand -base64 32` prints). */
const aesKey = z.string().transform((text, context) => {
  const trimmed = text.trim();
  const bytes = decodeBase64Url(trimmed.replace(/=+$/, "")) ?? decodeBase64(trimmed);
  if (bytes?.length !== 32) {
    context.addIssue({ code: "custom", message: "must be 32 random bytes as base64url or base64" });
    return z.NEVER;
  }
  return bytes;
});

export const CoreEnv = z.object({
  AUDIENCE: z.string().min(1).max(256),
  SIGNING_KEYS: signingKeySet,
  ACCESS_TOKEN_TTL_SECONDS: integer(60, 86_400, 900),
  SESSION_IDLE_TIMEOUT_SECONDS: integer(300, 31_536_000, 1_209_600),
  SESSION_ABSOLUTE_TTL_SECONDS: integer(300, 31_536_000, 2_592_000),
  REFRESH_REUSE_GRACE_SECONDS: integer(0, 300, 30),
  // Above 60 it would outweigh KV's own propagation in the revocation bound (docs/storage.md).
  DENYLIST_CACHE_TTL_SECONDS: integer(0, 60, 5),
  // How long an isolate trusts a remembered API-key lookup: the bound on another isolate's revocation.
  API_KEY_CACHE_TTL_SECONDS: integer(0, 60, 5),
  REFRESH_TOKEN_TRANSPORT: z.enum(["body", "cookie"]).optional().default("body"),
  CORS_ORIGINS: z
    .string()
    .optional()
    .transform((value) =>
      (value ?? "")
        .split(",")
        .map((item) => item.trim())
        .filter(Boolean),
    )
    .pipe(z.array(origin)),
  PASSWORD_SCRYPT: z
    .string()
    .optional()
    .transform((value, context) => {
      const params = parseScryptSettings(value ?? "ln=15,r=8,p=3");
      if (!params) context.addIssue({ code: "custom", message: "must be ln=..,r=..,p=.. within N·r·p ≤ 2^20" });
      return params ?? z.NEVER;
    }),
  PASSWORD_MIN_LENGTH: integer(8, 64, 8),
  PASSWORD_MAX_LENGTH: integer(64, 1024, 128),
  EMAIL_VERIFICATION: z.enum(["required", "optional"]).optional().default("required"),
  OTP_SECRET: z.string().min(32, "must be at least 32 characters"),
  API_KEY_SECRET: z.string().min(32, "must be at least 32 characters"),
  OTP_CODE_LENGTH: integer(6, 10, 6),
  OTP_TTL_SECONDS: integer(60, 3600, 600),
  OTP_MAX_ATTEMPTS: integer(1, 10, 5),
  TOTP_ENCRYPTION_KEY: aesKey,
  VERIFY_EMAIL_URL: z.url({ protocol: /^https?$/ }).optional(),
  RESET_PASSWORD_URL: z.url({ protocol: /^https?$/ }).optional(),
});
