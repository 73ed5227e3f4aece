// Password hashing as PHC strings ($scrypt$ln=15,r=8,p=3$salt$hash): the string carries its own
// parameters, so policy can rise without a migration and old hashes upgrade on the next login.

import { timingSafeEqual } from "./constant-time";
import { decodeBase64, encodeBase64, utf8 } from "./encoding";
import { type LegacyHashOptions, legacyFormatOf, verifyLegacyHash } from "./legacy-hashes";
import { randomBytes } from "./random";
import { type ScryptParams, scrypt } from "./scrypt";

/** Production Workers refuse scrypt above N·r·p = 2^20; local workerd does not, so we check here. */
export const SCRYPT_COST_LIMIT = 2 ** 20;
const SALT_BYTES = 16;
const KEY_BYTES = 32;

export interface PasswordVerification {
  valid: boolean;
  /** True when the stored hash is weaker than policy and should be replaced after this login. */
  needsRehash: boolean;
}

/** Accepts parameters only inside what production can run; used for config and for stored hashes. */
export function isScryptParamsWithinLimits(params: ScryptParams): boolean {
  const { logN, blockSize, parallelism } = params;
  const integers = [logN, blockSize, parallelism].every(Number.isInteger);
  if (!integers || logN < 1 || logN > 20 || blockSize < 1 || blockSize > 32) return false;
  if (parallelism < 1 || parallelism > 16) return false;
  return 2 ** logN * blockSize * parallelism <= SCRYPT_COST_LIMIT;
}

/** NIST SP 800-63B §5.1.1.2: normalize so the same password typed on any keyboard matches. */
export function normalizePassword(password: string): Uint8Array {
  return utf8(password.normalize("NFKC"));
}

export async function hashPassword(password: string, params: ScryptParams): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await scrypt(normalizePassword(password), salt, params, KEY_BYTES);
  return formatPhc(params, salt, key);
}

export async function verifyPassword(
  password: string,
  stored: string,
  policy: ScryptParams,
  legacy: LegacyHashOptions = { firebaseScrypt: null },
): Promise<PasswordVerification> {
  // An imported hash (bcrypt, Django, werkzeug, …) that matches is always replaced by ours.
  if (legacyFormatOf(stored)) {
    const valid = await verifyLegacyHash(password, stored, legacy);
    return { valid, needsRehash: valid };
  }
  const parsed = parsePhc(stored);
  if (!parsed) return { valid: false, needsRehash: false };
  const key = await scrypt(normalizePassword(password), parsed.salt, parsed.params, parsed.key.length);
  const valid = timingSafeEqual(key, parsed.key);
  return { valid, needsRehash: valid && isWeakerThan(parsed.params, policy) };
}

// A fixed salt and a key no password derives: unknown accounts pay the same scrypt as known ones,
// so response time does not reveal whether an address is registered.
const DUMMY_SALT = utf8("edge-auth-dummy!");
const DUMMY_KEY = new Uint8Array(KEY_BYTES);

export async function verifyDummyPassword(password: string, policy: ScryptParams): Promise<false> {
  const key = await scrypt(normalizePassword(password), DUMMY_SALT, policy, KEY_BYTES);
  timingSafeEqual(key, DUMMY_KEY);
  return false;
}

function isWeakerThan(params: ScryptParams, policy: ScryptParams): boolean {
  const cost = (p: ScryptParams) => 2 ** p.logN * p.blockSize * p.parallelism;
  return params.logN < policy.logN || cost(params) < cost(policy);
}

function formatPhc(params: ScryptParams, salt: Uint8Array, key: Uint8Array): string {
  const settings = `ln=${params.logN},r=${params.blockSize},p=${params.parallelism}`;
  return `$scrypt$${settings}$${encodeBase64(salt)}$${encodeBase64(key)}`;
}

/** Parses and bounds a stored hash; anything outside limits is refused, never computed. */
export function parsePhc(stored: string): { params: ScryptParams; salt: Uint8Array; key: Uint8Array } | null {
  const parts = stored.split("$");
  if (parts.length !== 5 || parts[0] !== "" || parts[1] !== "scrypt") return null;
  const params = parseScryptSettings(parts[2] ?? "");
  const salt = decodeBase64(parts[3] ?? "");
  const key = decodeBase64(parts[4] ?? "");
  if (!params || !salt || !key) return null;
  if (salt.length < 8 || salt.length > 64 || key.length < 16 || key.length > 64) return null;
  return { params, salt, key };
}

/** Parses `ln=15,r=8,p=3`, the form used both in PHC strings and in config. */
export function parseScryptSettings(settings: string): ScryptParams | null {
  const match = /^ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})$/.exec(settings);
  if (!match) return null;
  const params = { logN: Number(match[1]), blockSize: Number(match[2]), parallelism: Number(match[3]) };
  return isScryptParamsWithinLimits(params) ? params : null;
}
