// Canonical forms of the identifiers people type: one account per address however it is written.

// RFC 5321 §4.5.3.1 limits, in octets of UTF-8 (RFC 6531 §3.3), not in UTF-16 code units.
const MAX_EMAIL_OCTETS = 254;
const MAX_LOCAL_PART_OCTETS = 64;
// Control characters (CR, LF, NUL, …) and white space never belong in an address; refusing them
// keeps header injection out of mail and look-alike rows out of the table. Control characters are
// refused even at the ends, where trim() would quietly drop a CR/LF; other white space there is trimmed.
const FORBIDDEN_IN_EMAIL = /[\s\p{Cc}\p{Cf}]/u;
const CONTROL_CHARACTER = /\p{Cc}/u;
// Scripts whose letters pass for Latin ones ("pаypal" with a Cyrillic а): never mixed in one label.
const LOOKALIKE_SCRIPTS = [/\p{Script=Latin}/u, /\p{Script=Cyrillic}/u, /\p{Script=Greek}/u];

/**
 * NFKC then lower case, so `A@x.io`, `a@x.io` and a Kelvin-sign K all name one account. "İ" lower-cases
 * to "i" + U+0307 (combining dot above), which looks like "i"; that pair is folded to "i". Dotless "ı"
 * stays its own letter. See docs/decisions.md, "Email addresses".
 */
export function normalizeEmail(raw: string): string | null {
  if (CONTROL_CHARACTER.test(raw)) return null;
  const email = raw.trim().normalize("NFKC").toLowerCase().replaceAll("i\u0307", "i");
  if (email.length === 0 || octetsOf(email) > MAX_EMAIL_OCTETS || FORBIDDEN_IN_EMAIL.test(email)) return null;
  const at = email.lastIndexOf("@");
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (at < 1 || octetsOf(local) > MAX_LOCAL_PART_OCTETS || local.includes("@")) return null;
  if (!/^[^.@][^@]*\.[^.@]+$/.test(domain) || domain.includes("..")) return null;
  if (email.split(/[.@]/).some(mixesLookalikeScripts)) return null;
  return email;
}

function octetsOf(text: string): number {
  return new TextEncoder().encode(text).byteLength;
}

function mixesLookalikeScripts(label: string): boolean {
  return LOOKALIKE_SCRIPTS.filter((script) => script.test(label)).length > 1;
}

export const USERNAME_PATTERN = /^[a-zA-Z0-9_.-]{3,32}$/;

export function normalizeUsername(raw: string): string | null {
  return USERNAME_PATTERN.test(raw) ? raw.toLowerCase() : null;
}
