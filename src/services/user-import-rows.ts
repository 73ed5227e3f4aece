// One import row (the import/export contract): checked field by field and normalized the way sign-up
// normalizes (email, username, E.164 phone), or refused with a stable code naming the field. A typo'd
// field is refused, never dropped; the export's read-only `factors` and `updated_at` are ignored so an
// export file imports unchanged. Hash acceptance is user-import-hashes.ts; nothing here computes a hash.

import { decodeBase32 } from "../crypto/totp";
import { normalizeEmail, normalizeUsername } from "./identifiers";
import { normalizePhoneNumber } from "./phone-service";
import { acceptImportedHash } from "./user-import-hashes";

export type RowRefusalCode =
  | "invalid_row"
  | "unsupported_hash"
  | "hash_cost_too_high"
  | "totp_secret_invalid"
  | "duplicate_in_batch"
  | "email_taken"
  | "username_taken"
  | "legacy_id_taken"
  | "id_taken"
  | "identity_taken";

export interface RowRefusal {
  code: RowRefusalCode;
  field?: string;
  reason: string;
}

export interface ImportIdentity {
  provider: string;
  subject: string;
  email: string | null;
}

export interface ImportRow {
  id: string | null;
  email: string;
  emailVerified: boolean;
  username: string | null;
  name: string | null;
  firstName: string | null;
  lastName: string | null;
  phone: string | null;
  phoneVerified: boolean;
  createdAt: number | null;
  /** As text: an integer legacy id in decimal. */
  legacyId: string | null;
  passwordHash: string | null;
  /** Plaintext, hashed with our scrypt before the write; never stored, digested or echoed. */
  password: string | null;
  totpSecret: Uint8Array | null;
  disabled: boolean;
  identities: ImportIdentity[];
}

/**
 * Every field a row may name (`factors`, `updated_at`: an export's read-only ones, ignored). The
 * import CLI checks rows against its own copy (scripts/import/parse-rows.mjs, plain Node);
 * test/import-examples.test.ts keeps the two equal.
 */
export const IMPORT_ROW_FIELDS: ReadonlySet<string> = new Set([
  "id",
  "email",
  "email_verified",
  "username",
  "name",
  "first_name",
  "last_name",
  "phone",
  "phone_verified",
  "created_at",
  "legacy_id",
  "password_hash",
  "password",
  "totp_secret",
  "disabled",
  "identities",
  "factors",
  "updated_at",
]);
const OUR_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const MAX_TEXT = 100;
const MAX_PASSWORD = 1024;
const MAX_LEGACY_ID = 128;
const MAX_IDENTITIES = 20;
/** 2000-01-01 … 2100-01-01: a time outside is a unit mistake (milliseconds), not a real account. */
const EARLIEST = 946_684_800;
const LATEST = 4_102_444_800;

class Refused extends Error {
  constructor(readonly refusal: RowRefusal) {
    super(refusal.reason);
  }
}

const refuse = (field: string, reason: string, code: RowRefusalCode = "invalid_row"): never => {
  throw new Refused({ code, field, reason });
};

function optionalText(value: unknown, field: string, max = MAX_TEXT): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== "string") return refuse(field, "must be a string");
  const trimmed = value.trim();
  if (trimmed.length > max) return refuse(field, `must be at most ${max} characters`);
  return trimmed.length === 0 ? null : trimmed;
}

function flag(value: unknown, field: string): boolean {
  if (value === undefined || value === null) return false;
  if (typeof value !== "boolean") return refuse(field, "must be true or false");
  return value;
}

function createdAtOf(value: unknown): number | null {
  if (value === undefined || value === null) return null;
  const seconds =
    typeof value === "number"
      ? value
      : typeof value === "string" && /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i.test(value)
        ? Math.floor(Date.parse(value) / 1000)
        : Number.NaN;
  if (!Number.isSafeInteger(seconds)) return refuse("created_at", "must be RFC 3339 or whole Unix seconds");
  if (seconds < EARLIEST || seconds > LATEST) return refuse("created_at", "is outside 2000–2100");
  return seconds;
}

function legacyIdOf(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === "number" && Number.isSafeInteger(value)) return String(value);
  if (typeof value !== "string" || value.length === 0 || value.length > MAX_LEGACY_ID || /\p{Cc}/u.test(value)) {
    return refuse("legacy_id", `must be an integer or a string of 1..${MAX_LEGACY_ID} characters`);
  }
  return value;
}

function identitiesOf(value: unknown): ImportIdentity[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value) || value.length > MAX_IDENTITIES) {
    return refuse("identities", `must be an array of at most ${MAX_IDENTITIES}`);
  }
  return value.map((item: unknown, index) => {
    const field = `identities.${index}`;
    if (typeof item !== "object" || item === null || Array.isArray(item)) return refuse(field, "must be an object");
    const entry = item as Record<string, unknown>;
    const extra = Object.keys(entry).find((key) => !["provider", "subject", "email"].includes(key));
    if (extra) refuse(`${field}.${extra}`, "is not an accepted field");
    const provider = optionalText(entry.provider, `${field}.provider`, 64);
    const subject = optionalText(entry.subject, `${field}.subject`, 255);
    if (!provider) return refuse(`${field}.provider`, "is required");
    if (!subject) return refuse(`${field}.subject`, "is required");
    const email = optionalText(entry.email, `${field}.email`, 320);
    return { provider: provider.toLowerCase(), subject, email: email === null ? null : normalizeEmail(email) };
  });
}

function secretOf(value: unknown): Uint8Array | null {
  if (value === undefined || value === null) return null;
  const bytes = typeof value === "string" && value.length <= 256 ? decodeBase32(value) : null;
  // RFC 4226 §4 R6: at least 128 bits; 80-bit (16-character) secrets are still common, so accept ≥ 10 bytes.
  if (!bytes || bytes.length < 10 || bytes.length > 64) {
    return refuse("totp_secret", "must be base32 of 10..64 bytes", "totp_secret_invalid");
  }
  return bytes;
}

function parseRow(raw: unknown, firebaseConfigured: boolean): ImportRow {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) return refuse("row", "must be a JSON object");
  const row = raw as Record<string, unknown>;
  const unknown = Object.keys(row).find((key) => !IMPORT_ROW_FIELDS.has(key));
  if (unknown !== undefined) refuse(unknown, "is not an accepted field");
  const id = row.id === undefined || row.id === null ? null : row.id;
  if (id !== null && (typeof id !== "string" || !OUR_ID.test(id))) refuse("id", "is not an edge-auth user id");
  const rawEmail = optionalText(row.email, "email", 320);
  const email = rawEmail === null ? null : normalizeEmail(rawEmail);
  if (email === null) refuse("email", rawEmail === null ? "is required" : "is not an email address");
  const rawUsername = optionalText(row.username, "username", 32);
  const username = rawUsername === null ? null : normalizeUsername(rawUsername);
  if (rawUsername !== null && username === null) refuse("username", "must be 3..32 of a-z 0-9 _ . -");
  const rawPhone = optionalText(row.phone, "phone", 32);
  const phone = rawPhone === null ? null : normalizePhoneNumber(rawPhone);
  if (rawPhone !== null && phone === null) refuse("phone", "must be an E.164 number");
  const phoneVerified = flag(row.phone_verified, "phone_verified");
  if (phoneVerified && phone === null) refuse("phone_verified", "needs a phone");
  if (row.password !== undefined && row.password_hash !== undefined) {
    refuse("password", "give password or password_hash, not both");
  }
  let password: string | null = null;
  if (row.password !== undefined) {
    if (typeof row.password !== "string" || row.password.length === 0 || row.password.length > MAX_PASSWORD) {
      refuse("password", `must be a string of 1..${MAX_PASSWORD} characters`);
    }
    password = row.password as string;
  }
  let passwordHash: string | null = null;
  if (row.password_hash !== undefined) {
    if (typeof row.password_hash !== "string") refuse("password_hash", "must be a string");
    const accepted = acceptImportedHash(row.password_hash as string, firebaseConfigured);
    if (!accepted.ok) refuse("password_hash", accepted.reason, accepted.code);
    passwordHash = row.password_hash as string;
  }
  return {
    id: id as string | null,
    email: email as string,
    emailVerified: flag(row.email_verified, "email_verified"),
    username,
    name: optionalText(row.name, "name"),
    firstName: optionalText(row.first_name, "first_name"),
    lastName: optionalText(row.last_name, "last_name"),
    phone,
    phoneVerified,
    createdAt: createdAtOf(row.created_at),
    legacyId: legacyIdOf(row.legacy_id),
    passwordHash,
    password,
    totpSecret: secretOf(row.totp_secret),
    disabled: flag(row.disabled, "disabled"),
    identities: identitiesOf(row.identities),
  };
}

export type RowCheck = { ok: true; row: ImportRow } | { ok: false; refusal: RowRefusal };

export function checkImportRow(raw: unknown, firebaseConfigured: boolean): RowCheck {
  try {
    return { ok: true, row: parseRow(raw, firebaseConfigured) };
  } catch (error) {
    if (error instanceof Refused) return { ok: false, refusal: error.refusal };
    throw error;
  }
}
