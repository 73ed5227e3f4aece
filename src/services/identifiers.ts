// Canonical forms of the identifiers people type: one account per address however it is written.

const MAX_EMAIL_LENGTH = 254;
// Control characters (CR, LF, NUL, …) and white space never belong in an address; refusing them
// keeps header injection out of mail and look-alike rows out of the table.
const FORBIDDEN_IN_EMAIL = /[\s\p{Cc}\p{Cf}]/u;

/** NFKC then lower case, so `A@x.io`, `a@x.io` and a Kelvin-sign K all name one account. */
export function normalizeEmail(raw: string): string | null {
  const email = raw.trim().normalize("NFKC").toLowerCase();
  if (email.length === 0 || email.length > MAX_EMAIL_LENGTH || FORBIDDEN_IN_EMAIL.test(email)) return null;
  const at = email.lastIndexOf("@");
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  if (at < 1 || local.length > 64 || local.includes("@")) return null;
  if (!/^[^.@][^@]*\.[^.@]+$/.test(domain) || domain.includes("..")) return null;
  return email;
}

export const USERNAME_PATTERN = /^[a-zA-Z0-9_.-]{3,32}$/;

export function normalizeUsername(raw: string): string | null {
  return USERNAME_PATTERN.test(raw) ? raw.toLowerCase() : null;
}
