// The Firebase scrypt section of Config: the project's password hash parameters from the Firebase
// console (FIREBASE_SCRYPT_SIGNER_KEY, _SALT_SEPARATOR, _ROUNDS, _MEM_COST), needed to verify
// accounts imported from Firebase Authentication. None set: the section is off and such hashes are
// unverifiable. Any one set: all four must be, in range, or the Worker refuses to start (never half
// on). The signer key is a secret: it is never logged, and errors name the variable only.

import * as z from "zod";
import { decodeBase64 } from "../crypto/encoding";
import {
  FIREBASE_MAX_MEM_COST,
  FIREBASE_MAX_ROUNDS,
  type FirebaseScryptParams,
} from "../crypto/legacy-hashes/firebase-scrypt";
import { type Parsed, parseSection } from "./config-error";
import { required, text } from "./env-fields";

export const FIREBASE_SCRYPT_VARIABLES = [
  "FIREBASE_SCRYPT_SIGNER_KEY",
  "FIREBASE_SCRYPT_SALT_SEPARATOR",
  "FIREBASE_SCRYPT_ROUNDS",
  "FIREBASE_SCRYPT_MEM_COST",
] as const;

const needed = "is required once any FIREBASE_SCRYPT_* variable is set";

/** Standard base64 (padding allowed) of `min`..`max` bytes, as the Firebase console shows it. */
function base64Bytes(min: number, max: number) {
  return z
    .string()
    .transform((value) => decodeBase64(value))
    .refine((bytes): bytes is Uint8Array => bytes !== null && bytes.length >= min && bytes.length <= max, {
      message: `must be base64 of ${min}..${max} bytes`,
    })
    .transform((bytes) => bytes as Uint8Array);
}

function integer(min: number, max: number) {
  return z
    .string()
    .refine((value) => /^\d{1,2}$/.test(value) && Number(value) >= min && Number(value) <= max, {
      message: `must be a whole number ${min}..${max}`,
    })
    .transform(Number);
}

const FirebaseScryptEnv = z.object({
  FIREBASE_SCRYPT_SIGNER_KEY: required(base64Bytes(16, 128), needed),
  FIREBASE_SCRYPT_SALT_SEPARATOR: required(base64Bytes(0, 64), needed),
  FIREBASE_SCRYPT_ROUNDS: required(integer(1, FIREBASE_MAX_ROUNDS), needed),
  FIREBASE_SCRYPT_MEM_COST: required(integer(1, FIREBASE_MAX_MEM_COST), needed),
});

export function parseFirebaseScryptEnv(env: Record<string, unknown>): Parsed<FirebaseScryptParams | null> {
  const present = FIREBASE_SCRYPT_VARIABLES.some((name) => text.parse(env[name]) !== undefined);
  if (!present) return { ok: true, value: null };
  const parsed = parseSection(FirebaseScryptEnv, env);
  if (!parsed.ok) return parsed;
  const vars = parsed.value;
  return {
    ok: true,
    value: {
      signerKey: vars.FIREBASE_SCRYPT_SIGNER_KEY,
      saltSeparator: vars.FIREBASE_SCRYPT_SALT_SEPARATOR,
      rounds: vars.FIREBASE_SCRYPT_ROUNDS,
      memCost: vars.FIREBASE_SCRYPT_MEM_COST,
    },
  };
}
