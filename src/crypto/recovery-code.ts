// Recovery codes: 12 characters of lower-case base32 (60 bits from crypto.getRandomValues), shown
// as xxxx-xxxx-xxxx. 60 bits cannot be guessed online, so each code needs no attempt counter of
// its own; they are stored as keyed hashes (see src/services/recovery-codes.ts).

import { randomBytes } from "./random";
import { BASE32_ALPHABET } from "./totp";

const ALPHABET = BASE32_ALPHABET.toLowerCase();
export const RECOVERY_CODE_CHARACTERS = 12;
const GROUP = 4;

export function generateRecoveryCode(): string {
  // 32 divides 256, so `byte & 31` is uniform: no rejection sampling needed.
  const characters = [...randomBytes(RECOVERY_CODE_CHARACTERS)].map((byte) => ALPHABET[byte & 31]).join("");
  return characters.match(new RegExp(`.{1,${GROUP}}`, "g"))?.join("-") ?? characters;
}

/** The canonical form that is hashed (case, spaces and dashes ignored), or null if it cannot be a code. */
export function normalizeRecoveryCode(input: string): string | null {
  const compact = input.toLowerCase().replace(/[\s-]/g, "");
  if (compact.length !== RECOVERY_CODE_CHARACTERS) return null;
  return [...compact].every((character) => ALPHABET.includes(character)) ? compact : null;
}
