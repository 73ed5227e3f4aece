// argon2id (and argon2i, which older Django wrote) PHC strings:
// `$argon2id$v=19$m=<KiB>,t=<passes>,p=<lanes>$<salt>$<hash>`, also in Django's form with an
// `argon2` prefix. Computed by @noble/hashes in pure JS (no WASM may be compiled at runtime on
// Workers). Bounded on read: m ≤ 64 MiB, t ≤ 10, p ≤ 16, and m·t ≤ 128 MiB of passes in all, which
// keeps one verification near a second of CPU and inside an isolate's 128 MB.

import { argon2i, argon2id } from "@noble/hashes/argon2.js";
import { timingSafeEqual } from "../constant-time";
import { decodeBase64, utf8 } from "../encoding";
import { boundedInteger } from "./legacy-encoding";

export const ARGON2_PREFIXES = ["$argon2id$", "$argon2i$", "argon2$argon2id$", "argon2$argon2i$"] as const;
export const ARGON2_MAX_MEMORY_KIB = 64 * 1024;
export const ARGON2_MAX_PASSES = 10;
/** m·t in KiB: the work one verification may do (64 MiB twice, or 19 MiB about six times). */
export const ARGON2_MAX_WORK_KIB = 128 * 1024;

export interface Argon2Hash {
  variant: "argon2id" | "argon2i";
  version: 0x10 | 0x13;
  memoryKib: number;
  passes: number;
  lanes: number;
  salt: Uint8Array;
  key: Uint8Array;
}

export function parseArgon2(stored: string): Argon2Hash | null {
  const phc = stored.startsWith("argon2$") ? stored.slice("argon2".length) : stored;
  const parts = phc.split("$");
  const variant = parts[1];
  if (parts[0] !== "" || (variant !== "argon2id" && variant !== "argon2i")) return null;
  // The version field is optional: strings without it are version 1.0 (0x10).
  const versioned = parts.length === 6;
  if (!versioned && parts.length !== 5) return null;
  const version = versioned ? { "v=19": 0x13, "v=16": 0x10 }[parts[2] ?? ""] : 0x10;
  const settings = /^m=(\d+),t=(\d+),p=(\d+)$/.exec(parts[versioned ? 3 : 2] ?? "");
  const lanes = boundedInteger(settings?.[3], 1, 16);
  const memoryKib = boundedInteger(settings?.[1], 8 * (lanes ?? 1), ARGON2_MAX_MEMORY_KIB);
  const passes = boundedInteger(settings?.[2], 1, ARGON2_MAX_PASSES);
  const salt = decodeBase64(parts[versioned ? 4 : 3] ?? "");
  const key = decodeBase64(parts[versioned ? 5 : 4] ?? "");
  if (version === undefined || !lanes || !memoryKib || !passes || memoryKib * passes > ARGON2_MAX_WORK_KIB) return null;
  if (!salt || salt.length < 8 || salt.length > 64 || !key || key.length < 8 || key.length > 64) return null;
  return { variant, version: version as 0x10 | 0x13, memoryKib, passes, lanes, salt, key };
}

export async function verifyArgon2(password: string, hash: Argon2Hash): Promise<boolean> {
  const derive = hash.variant === "argon2id" ? argon2id : argon2i;
  const derived = derive(utf8(password), hash.salt, {
    m: hash.memoryKib,
    t: hash.passes,
    p: hash.lanes,
    version: hash.version,
    dkLen: hash.key.length,
    maxmem: hash.memoryKib * 1024 + 1024 * 1024,
  });
  return timingSafeEqual(derived, hash.key);
}
