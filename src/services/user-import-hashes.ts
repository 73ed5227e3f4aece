// Hash acceptance at import time: a row's password_hash is stored only if login could verify it,
// parsed by the same code that verifies it at login (src/crypto/legacy-hashes, our own PHC) and so
// bounded by the same read limits. A hash whose cost is above those limits is `hash_cost_too_high`
// (its owner could never log in with it); any other unparseable string is `unsupported_hash`. A
// Firebase hash is refused while FIREBASE_SCRYPT_* is unset: it would be unverifiable. Nothing is
// derived here: acceptance costs no hashing.

import {
  ARGON2_MAX_MEMORY_KIB,
  ARGON2_MAX_PASSES,
  ARGON2_MAX_WORK_KIB,
  parseArgon2,
} from "../crypto/legacy-hashes/argon2";
import { BCRYPT_MAX_COST, parseBcrypt } from "../crypto/legacy-hashes/bcrypt";
import { parseBetterAuth } from "../crypto/legacy-hashes/better-auth";
import { parseDjangoPbkdf2 } from "../crypto/legacy-hashes/django-pbkdf2";
import { parseFirebaseScrypt } from "../crypto/legacy-hashes/firebase-scrypt";
import { legacyFormatOf } from "../crypto/legacy-hashes/index";
import { parsePasslibPbkdf2 } from "../crypto/legacy-hashes/passlib-pbkdf2";
import { MAX_ITERATIONS } from "../crypto/legacy-hashes/pbkdf2";
import { NATIVE_SCRYPT_COST_LIMIT, parseWerkzeug } from "../crypto/legacy-hashes/werkzeug";
import { parsePhc, SCRYPT_COST_LIMIT } from "../crypto/password-hash";

export type HashAcceptance =
  | { ok: true }
  | { ok: false; code: "unsupported_hash" | "hash_cost_too_high"; reason: string };

const PARSERS: Record<string, (stored: string) => unknown> = {
  bcrypt: parseBcrypt,
  django_pbkdf2: parseDjangoPbkdf2,
  passlib_pbkdf2: parsePasslibPbkdf2,
  werkzeug: parseWerkzeug,
  argon2: parseArgon2,
  better_auth: parseBetterAuth,
  firebase_scrypt: parseFirebaseScrypt,
};

const above = (text: string | undefined, limit: number) => text !== undefined && Number(text) > limit;
const sha = (digest: string | undefined) => (digest === "sha512" ? "SHA-512" : "SHA-256");

/** Whether the cost parameters a string states exceed what login would compute (its shape aside). */
function statesTooHighACost(stored: string): boolean {
  let m = /^\$2[aby]\$(\d{2})\$/.exec(stored);
  if (m) return above(m[1], BCRYPT_MAX_COST);
  m = /^pbkdf2_sha256\$(\d+)\$/.exec(stored);
  if (m) return above(m[1], MAX_ITERATIONS["SHA-256"]);
  m = /^\$pbkdf2-(sha256|sha512)\$(\d+)\$/.exec(stored);
  if (m) return above(m[2], MAX_ITERATIONS[sha(m[1])]);
  m = /^pbkdf2:(sha256|sha512):(\d+)\$/.exec(stored);
  if (m) return above(m[2], MAX_ITERATIONS[sha(m[1])]);
  m = /^scrypt:(\d+):(\d+):(\d+)\$/.exec(stored);
  if (m) return Number(m[1]) * Number(m[2]) * Number(m[3]) > NATIVE_SCRYPT_COST_LIMIT;
  m = /^\$scrypt\$ln=(\d+),r=(\d+),p=(\d+)\$/.exec(stored);
  if (m) return 2 ** Number(m[1]) * Number(m[2]) * Number(m[3]) > SCRYPT_COST_LIMIT;
  m = /\$m=(\d+),t=(\d+),p=\d+\$/.exec(stored);
  if (m && stored.includes("argon2")) {
    const memory = Number(m[1]);
    const passes = Number(m[2]);
    return memory > ARGON2_MAX_MEMORY_KIB || passes > ARGON2_MAX_PASSES || memory * passes > ARGON2_MAX_WORK_KIB;
  }
  return false;
}

export function acceptImportedHash(stored: string, firebaseConfigured: boolean): HashAcceptance {
  const format = stored.startsWith("$scrypt$") ? "ours" : legacyFormatOf(stored);
  const parsed = format === "ours" ? parsePhc(stored) : format ? PARSERS[format]?.(stored) : null;
  if (parsed) {
    if (format === "firebase_scrypt" && !firebaseConfigured) {
      return {
        ok: false,
        code: "unsupported_hash",
        reason: "Firebase scrypt hashes need FIREBASE_SCRYPT_* configured",
      };
    }
    return { ok: true };
  }
  if (statesTooHighACost(stored)) {
    return { ok: false, code: "hash_cost_too_high", reason: "costs more than login may compute" };
  }
  return { ok: false, code: "unsupported_hash", reason: "is not a supported password hash format" };
}
