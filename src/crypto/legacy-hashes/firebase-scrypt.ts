// Firebase Authentication's modified scrypt (github.com/firebase/scrypt): scrypt of the password
// with the account's salt followed by the project's salt separator (N = 2^mem_cost, r = rounds,
// p = 1, 32 bytes), used as an AES-256-CTR key (zero counter) to encrypt the project's signer key;
// that ciphertext is the stored hash. The project parameters come from FIREBASE_SCRYPT_* config; an
// account exported from Firebase is stored as `$firebase-scrypt$<base64 salt>$<base64 hash>`.
// Without the config every such hash is unverifiable.

import { timingSafeEqual } from "../constant-time";
import { decodeBase64, utf8 } from "../encoding";
import { scrypt } from "../scrypt";
import { concatBytes } from "./legacy-encoding";

export const FIREBASE_SCRYPT_PREFIX = "$firebase-scrypt$";
/** Firebase's own ranges (its import API refuses anything else); 2^14·8 stays inside the native cap. */
export const FIREBASE_MAX_ROUNDS = 8;
export const FIREBASE_MAX_MEM_COST = 14;

/** One project's password hash parameters, from the Firebase console. */
export interface FirebaseScryptParams {
  signerKey: Uint8Array;
  saltSeparator: Uint8Array;
  rounds: number;
  memCost: number;
}

export interface FirebaseScryptHash {
  salt: Uint8Array;
  key: Uint8Array;
}

export function parseFirebaseScrypt(stored: string): FirebaseScryptHash | null {
  const parts = stored.split("$");
  if (parts.length !== 4 || parts[0] !== "" || parts[1] !== "firebase-scrypt") return null;
  const salt = decodeBase64(parts[2] ?? "");
  const key = decodeBase64(parts[3] ?? "");
  if (!salt || salt.length < 1 || salt.length > 64 || !key || key.length < 16 || key.length > 128) return null;
  return { salt, key };
}

export async function verifyFirebaseScrypt(
  password: string,
  hash: FirebaseScryptHash,
  project: FirebaseScryptParams,
): Promise<boolean> {
  const { rounds, memCost } = project;
  if (rounds < 1 || rounds > FIREBASE_MAX_ROUNDS || memCost < 1 || memCost > FIREBASE_MAX_MEM_COST) return false;
  if (hash.key.length !== project.signerKey.length) return false;
  const params = { logN: memCost, blockSize: rounds, parallelism: 1 };
  const derived = await scrypt(utf8(password), concatBytes(hash.salt, project.saltSeparator), params, 32);
  const aesKey = await crypto.subtle.importKey("raw", derived, "AES-CTR", false, ["encrypt"]);
  const counter = new Uint8Array(16);
  const cipher = await crypto.subtle.encrypt({ name: "AES-CTR", counter, length: 128 }, aesKey, project.signerKey);
  return timingSafeEqual(new Uint8Array(cipher), hash.key);
}
