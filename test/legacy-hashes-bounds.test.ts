// Imported hashes that must not be computed: malformed strings and absurd costs are unverifiable
// at once (never an exception, never seconds of CPU), and PBKDF2 above production's WebCrypto cap
// runs in JavaScript that gives WebCrypto's and noble's answers.
import { pbkdf2 as noblePbkdf2 } from "@noble/hashes/pbkdf2.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { describe, expect, it } from "vitest";
import { utf8 } from "../src/crypto/encoding";
import { checkLegacyHash, type LegacyHashOptions } from "../src/crypto/legacy-hashes";
import { pbkdf2, pbkdf2Engine, pbkdf2On, WEBCRYPTO_PBKDF2_LIMIT } from "../src/crypto/legacy-hashes/pbkdf2";
import {
  ARGON2ID_256MIB,
  BCRYPT,
  DJANGO,
  DJANGO_ARGON2_100MIB,
  FIREBASE,
  FIREBASE_PARAMS,
  timed,
  WERKZEUG_SCRYPT_OVER_CAP,
} from "./support/legacy-hashes";

const options: LegacyHashOptions = { firebaseScrypt: FIREBASE_PARAMS };
const hex64 = "ab".repeat(32);

const ABSURD = {
  "bcrypt cost 15": "$2b$15$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
  "bcrypt cost 31": "$2a$31$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
  "bcrypt cost 03": "$2a$03$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
  "Django 1,200,001 iterations": "pbkdf2_sha256$1200001$seasalt$r1uLUxoxpP2Ued/qxvmje7UH9PUJBkRrvf9gGPL7Cps=",
  "Django 10^10 iterations": "pbkdf2_sha256$10000000000$seasalt$r1uLUxoxpP2Ued/qxvmje7UH9PUJBkRrvf9gGPL7Cps=",
  "passlib 5,000,000 rounds":
    "$pbkdf2-sha256$5000000$4vjV83LKPjQzk31VI4E0Vw$hsYF68OiOUPdDZ1Fg.fJPeq1h/gXXY7acBp9/6c.tmQ",
  "werkzeug pbkdf2 9,999,999": `pbkdf2:sha256:9999999$salt$${hex64}`,
  "werkzeug pbkdf2 sha512 above WebCrypto's cap": `pbkdf2:sha512:100001$salt$${hex64}${hex64}`,
  "passlib sha512 above WebCrypto's cap": `$pbkdf2-sha512$100001$4vjV83LKPjQzk31VI4E0Vw$${"A".repeat(86)}`,
  "werkzeug scrypt N=2^20 r=8 (RFC 7914)": WERKZEUG_SCRYPT_OVER_CAP,
  "werkzeug scrypt N not a power of 2": `scrypt:1000:8:1$salt$${hex64}`,
  "argon2id m = 256 MiB (test.c)": ARGON2ID_256MIB,
  "argon2id m = 100 MiB (Django's)": DJANGO_ARGON2_100MIB,
  "argon2id t = 11": "$argon2id$v=19$m=256,t=11,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
  "argon2id 64 MiB × 3 passes":
    "$argon2id$v=19$m=65536,t=3,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
  "argon2id p = 0": "$argon2id$v=19$m=256,t=2,p=0$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
};

const MALFORMED = {
  "bcrypt truncated": "$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOe",
  "bcrypt $2x$": "$2x$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
  "Django hash not base64": "pbkdf2_sha256$20000$seasalt$not*base64",
  "Django hash 31 bytes": "pbkdf2_sha256$20000$seasalt$oBSd886ysm3AqYun62DOdin8YcfbU1z9cksZSuLP9r0A",
  "Django leading-zero count": "pbkdf2_sha256$020000$seasalt$oBSd886ysm3AqYun62DOdin8YcfbU1z9cksZSuLP9r0=",
  "Django extra field": "pbkdf2_sha256$20000$sea$salt$oBSd886ysm3AqYun62DOdin8YcfbU1z9cksZSuLP9r0=",
  "passlib empty salt": "$pbkdf2-sha256$1212$$hsYF68OiOUPdDZ1Fg.fJPeq1h/gXXY7acBp9/6c.tmQ",
  "werkzeug hash not hex": `pbkdf2:sha256:1$salt$${"zz".repeat(32)}`,
  "werkzeug no iterations": `pbkdf2:sha256$salt$${hex64}`,
  "werkzeug md5": "pbkdf2:md5:1000$salt$0123456789abcdef0123456789abcdef",
  "argon2id unknown version": "$argon2id$v=20$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
  "argon2d (not supported)": "$argon2d$v=19$m=256,t=2,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
  "argon2id parameters reordered":
    "$argon2id$v=19$t=2,m=256,p=1$c29tZXNhbHQ$nf65EOgLrQMR/uIPnA4rEsF5h7TKyQwu9U1bMCHGi/4",
  "firebase salt not base64": "$firebase-scrypt$42x*C$lSrfV15cpx95",
  "over 512 characters": `$2b$05$${"C".repeat(600)}`,
};

describe("unverifiable hashes", () => {
  it("absurd costs are refused before any work, with the right password too", async () => {
    for (const [name, stored] of Object.entries(ABSURD)) {
      const { ms, result } = await timed(() => checkLegacyHash("password", stored, options));
      expect(result, name).toBe("unverifiable");
      expect(ms, name).toBeLessThan(50);
    }
  });

  it("malformed strings are unverifiable, never an exception", async () => {
    for (const [name, stored] of Object.entries(MALFORMED)) {
      expect(await checkLegacyHash("U*U", stored, options), name).toBe("unverifiable");
    }
  });

  it("a bcrypt vector's checksum changed by one character is a mismatch", async () => {
    const { password, stored } = BCRYPT[4] ?? { password: "", stored: "" };
    const tampered = `${stored.slice(0, -1)}${stored.endsWith("W") ? "X" : "W"}`;
    expect(await checkLegacyHash(password, tampered, options)).toBe("mismatch");
  });

  it("a Firebase hash of another length than the signer key is a mismatch, never computed", async () => {
    const short = FIREBASE.stored.replace(/\$[^$]+$/, "$AAAAAAAAAAAAAAAAAAAAAA==");
    expect(await checkLegacyHash(FIREBASE.password, short, options)).toBe("mismatch");
  });
});

describe("PBKDF2 engines", () => {
  it("WebCrypto up to production's cap, JavaScript above it", () => {
    expect(pbkdf2Engine(WEBCRYPTO_PBKDF2_LIMIT)).toBe("webcrypto");
    expect(pbkdf2Engine(WEBCRYPTO_PBKDF2_LIMIT + 1)).toBe("javascript");
  });

  it("refuses counts outside 1..1,200,000 itself, whoever calls it", async () => {
    await expect(pbkdf2("SHA-256", utf8("p"), utf8("s"), 1_200_001, 32)).rejects.toThrow(RangeError);
    await expect(pbkdf2("SHA-256", utf8("p"), utf8("s"), 0, 32)).rejects.toThrow(RangeError);
  });

  it("the JavaScript SHA-256 gives RFC 7914 §11's PBKDF2 vector, and WebCrypto's and noble's answers", async () => {
    const rfc = await pbkdf2On("javascript", "SHA-256", utf8("passwd"), utf8("salt"), 1, 64);
    expect(Buffer.from(rfc).toString("hex")).toBe(
      "55ac046e56e3089fec1691c22544b605f94185216dde0465e68b9d57c20dacbc49ca9cccf179b645991664b39d77ef317c71b845b1e30bd509112041d3a19783",
    );
    // Long keys (hashed first), long salts, several output blocks, a partial last block.
    const cases = [
      { password: "x".repeat(65), salt: "s".repeat(70), iterations: 3, length: 40 },
      { password: "lètmein", salt: "seasalt", iterations: 1000, length: 32 },
      { password: "", salt: "", iterations: 2, length: 16 },
    ];
    for (const { password, salt, iterations, length } of cases) {
      const ours = await pbkdf2On("javascript", "SHA-256", utf8(password), utf8(salt), iterations, length);
      const native = await pbkdf2On("webcrypto", "SHA-256", utf8(password), utf8(salt), iterations, length);
      expect(ours).toEqual(native);
      expect(ours).toEqual(noblePbkdf2(sha256, utf8(password), utf8(salt), { c: iterations, dkLen: length }));
    }
  });

  it("Django's 20,000-iteration vector through the JavaScript engine", async () => {
    const salt = utf8("seasalt");
    const key = await pbkdf2On("javascript", "SHA-256", utf8("lètmein"), salt, 20_000, 32);
    expect(Buffer.from(key).toString("base64")).toBe(DJANGO[0]?.stored.split("$")[3]);
  });
});
