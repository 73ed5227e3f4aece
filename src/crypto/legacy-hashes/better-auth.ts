// Better Auth's credential hashes: `<salt>:<key>`, both hex. As Better Auth's own
// src/crypto/password.ts does: scrypt N=16384, r=16, p=1, a 64-byte key, the password NFKC-normalized,
// and the salt's hex *text* (not its bytes) as the scrypt salt. N·r·p = 2^18 runs natively.

import { timingSafeEqual } from "../constant-time";
import { utf8 } from "../encoding";
import { scrypt } from "../scrypt";
import { decodeHex } from "./legacy-encoding";

const BETTER_AUTH = /^([0-9a-f]{32}):([0-9a-fA-F]{128})$/;
const PARAMS = { logN: 14, blockSize: 16, parallelism: 1 };

export interface BetterAuthHash {
  salt: Uint8Array;
  key: Uint8Array;
}

export function isBetterAuthShape(stored: string): boolean {
  return BETTER_AUTH.test(stored);
}

export function parseBetterAuth(stored: string): BetterAuthHash | null {
  const match = BETTER_AUTH.exec(stored);
  const key = decodeHex(match?.[2] ?? "");
  if (!match || !key) return null;
  return { salt: utf8(match[1] ?? ""), key };
}

export async function verifyBetterAuth(password: string, hash: BetterAuthHash): Promise<boolean> {
  const derived = await scrypt(utf8(password.normalize("NFKC")), hash.salt, PARAMS, hash.key.length);
  return timingSafeEqual(derived, hash.key);
}
