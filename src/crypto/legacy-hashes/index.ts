// Imported password hashes: recognises which old server's format a stored string is in, and checks
// a password against it. Every format is parsed and bounded before any work (an absurd cost, a bad
// encoding or an unknown shape is "unverifiable", computed never), and nothing here throws: login
// answers an unverifiable hash exactly as a wrong password. A match is replaced by our scrypt PHC
// on that login (src/crypto/password-hash.ts reports it as needing a rehash).

import { ARGON2_PREFIXES, parseArgon2, verifyArgon2 } from "./argon2";
import { BCRYPT_PREFIXES, parseBcrypt, verifyBcrypt } from "./bcrypt";
import { isBetterAuthShape, parseBetterAuth, verifyBetterAuth } from "./better-auth";
import { DJANGO_PBKDF2_PREFIX, parseDjangoPbkdf2, verifyDjangoPbkdf2 } from "./django-pbkdf2";
import {
  FIREBASE_SCRYPT_PREFIX,
  type FirebaseScryptParams,
  parseFirebaseScrypt,
  verifyFirebaseScrypt,
} from "./firebase-scrypt";
import { PASSLIB_PBKDF2_PREFIXES, parsePasslibPbkdf2, verifyPasslibPbkdf2 } from "./passlib-pbkdf2";
import { parseWerkzeug, verifyWerkzeug, WERKZEUG_PREFIXES } from "./werkzeug";

export type { FirebaseScryptParams } from "./firebase-scrypt";

export type LegacyFormat =
  | "bcrypt"
  | "django_pbkdf2"
  | "passlib_pbkdf2"
  | "werkzeug"
  | "argon2"
  | "better_auth"
  | "firebase_scrypt";

/** What verification needs beyond the stored string: Firebase's project parameters (null: not configured). */
export interface LegacyHashOptions {
  firebaseScrypt: FirebaseScryptParams | null;
}

export type LegacyCheck = "match" | "mismatch" | "unverifiable";

/** Stored strings longer than any supported format are not even parsed. */
const MAX_STORED_LENGTH = 512;

const startsWithAny = (stored: string, prefixes: readonly string[]) => prefixes.some((p) => stored.startsWith(p));

/** The format a stored string claims by its shape (its parameters are judged later). Our own `$scrypt$` is none. */
export function legacyFormatOf(stored: string): LegacyFormat | null {
  if (stored.length > MAX_STORED_LENGTH) return null;
  if (startsWithAny(stored, BCRYPT_PREFIXES)) return "bcrypt";
  if (stored.startsWith(DJANGO_PBKDF2_PREFIX)) return "django_pbkdf2";
  if (startsWithAny(stored, PASSLIB_PBKDF2_PREFIXES)) return "passlib_pbkdf2";
  if (startsWithAny(stored, WERKZEUG_PREFIXES)) return "werkzeug";
  if (startsWithAny(stored, ARGON2_PREFIXES)) return "argon2";
  if (stored.startsWith(FIREBASE_SCRYPT_PREFIX)) return "firebase_scrypt";
  if (isBetterAuthShape(stored)) return "better_auth";
  return null;
}

/** Parses and bounds the string, then derives: the only path that computes an imported hash. */
async function check(password: string, stored: string, options: LegacyHashOptions): Promise<boolean | null> {
  switch (legacyFormatOf(stored)) {
    case "bcrypt": {
      const hash = parseBcrypt(stored);
      return hash && verifyBcrypt(password, hash);
    }
    case "django_pbkdf2": {
      const hash = parseDjangoPbkdf2(stored);
      return hash && verifyDjangoPbkdf2(password, hash);
    }
    case "passlib_pbkdf2": {
      const hash = parsePasslibPbkdf2(stored);
      return hash && verifyPasslibPbkdf2(password, hash);
    }
    case "werkzeug": {
      const hash = parseWerkzeug(stored);
      return hash && verifyWerkzeug(password, hash);
    }
    case "argon2": {
      const hash = parseArgon2(stored);
      return hash && verifyArgon2(password, hash);
    }
    case "better_auth": {
      const hash = parseBetterAuth(stored);
      return hash && verifyBetterAuth(password, hash);
    }
    case "firebase_scrypt": {
      const hash = parseFirebaseScrypt(stored);
      return hash && options.firebaseScrypt && verifyFirebaseScrypt(password, hash, options.firebaseScrypt);
    }
    default:
      return null;
  }
}

export async function checkLegacyHash(
  password: string,
  stored: string,
  options: LegacyHashOptions,
): Promise<LegacyCheck> {
  try {
    const result = await check(password, stored, options);
    if (result === null) return "unverifiable";
    return result ? "match" : "mismatch";
  } catch {
    // A library refusing its input (a bound we did not foresee) is unverifiable, never a 500.
    return "unverifiable";
  }
}

export async function verifyLegacyHash(password: string, stored: string, options: LegacyHashOptions): Promise<boolean> {
  return (await checkLegacyHash(password, stored, options)) === "match";
}
