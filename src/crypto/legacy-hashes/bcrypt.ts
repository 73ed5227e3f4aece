// bcrypt `$2a$`, `$2b$`, `$2y$` (one algorithm; the letters record fixes in C implementations that
// do not change the result for passwords under 255 bytes) through bcryptjs, pure JS. The cost is
// bounded to 4..14: each step doubles the work, and cost 14 is about a second of CPU.

import { hash as bcryptHash } from "bcryptjs";
import { timingSafeEqual } from "../constant-time";
import { utf8 } from "../encoding";

export const BCRYPT_PREFIXES = ["$2a$", "$2b$", "$2y$"] as const;
export const BCRYPT_MAX_COST = 14;

const BCRYPT = /^\$2[aby]\$(\d\d)\$[./A-Za-z0-9]{53}$/;

export interface BcryptHash {
  cost: number;
  /** `$2x$NN$` and the 22-character salt: what bcryptjs takes as its salt argument. */
  setting: string;
  checksum: string;
}

export function parseBcrypt(stored: string): BcryptHash | null {
  const match = BCRYPT.exec(stored);
  const cost = Number(match?.[1]);
  if (!match || cost < 4 || cost > BCRYPT_MAX_COST) return null;
  return { cost, setting: stored.slice(0, 29), checksum: stored.slice(29) };
}

export async function verifyBcrypt(password: string, hash: BcryptHash): Promise<boolean> {
  const computed = await bcryptHash(password, hash.setting);
  // Only the checksum is compared: the salt's last character carries 2 unused bits, which bcryptjs
  // writes canonically, so a valid hash from another implementation may differ there.
  return timingSafeEqual(utf8(computed.slice(29)), utf8(hash.checksum));
}
