// Imported password hashes against each format's own published vectors: the right password
// matches, a wrong one does not, and Firebase's needs its project parameters.
import { describe, expect, it } from "vitest";
import { checkLegacyHash, type LegacyHashOptions, legacyFormatOf } from "../src/crypto/legacy-hashes";
import {
  ARGON2ID,
  BCRYPT,
  BETTER_AUTH,
  DJANGO,
  DJANGO_1M,
  DJANGO_ARGON2,
  FIREBASE,
  FIREBASE_PARAMS,
  PASSLIB,
  timed,
  type Vector,
  WERKZEUG,
  WERKZEUG_SHA512,
} from "./support/legacy-hashes";

const none: LegacyHashOptions = { firebaseScrypt: null };
const firebase: LegacyHashOptions = { firebaseScrypt: FIREBASE_PARAMS };

async function expectVectors(format: string, vectors: Vector[], options = none) {
  for (const { password, stored } of vectors) {
    expect(legacyFormatOf(stored), stored).toBe(format);
    expect(await checkLegacyHash(password, stored, options), stored).toBe("match");
    expect(await checkLegacyHash(`${password}x`, stored, options), stored).toBe("mismatch");
  }
}

describe("published vectors", () => {
  it("bcrypt $2a$, $2b$, $2y$ (OpenBSD's vectors)", async () => {
    await expectVectors("bcrypt", BCRYPT);
  }, 15_000);

  it("Django pbkdf2_sha256 at 20,000 and 100,000 iterations (WebCrypto)", async () => {
    await expectVectors("django_pbkdf2", DJANGO);
  });

  it("Django pbkdf2_sha256 at 1,000,000 iterations (JavaScript, above the Workers cap)", async () => {
    const { ms, result } = await timed(() => checkLegacyHash(DJANGO_1M.password, DJANGO_1M.stored, none));
    expect(result).toBe("match");
    console.log(`django 1M: ${ms.toFixed(0)} ms`);
  }, 30_000);

  it("passlib $pbkdf2-sha256$", async () => {
    await expectVectors("passlib_pbkdf2", PASSLIB);
  });

  it("werkzeug pbkdf2:sha256 and scrypt:n:r:p", async () => {
    await expectVectors("werkzeug", [...WERKZEUG, WERKZEUG_SHA512]);
  });

  it("argon2id PHC strings (the argon2 reference's test.c) and Django's argon2i", async () => {
    await expectVectors("argon2", ARGON2ID);
    await expectVectors("argon2", DJANGO_ARGON2);
  });

  it("Better Auth salt:hex scrypt, NFKC-normalized as Better Auth does", async () => {
    await expectVectors("better_auth", BETTER_AUTH);
    // The ligature and its NFKC form are the same password to Better Auth.
    expect(await checkLegacyHash("finest passphrase", BETTER_AUTH[1]?.stored ?? "", none)).toBe("match");
  }, 15_000);

  it("Firebase scrypt (firebase/scrypt's README account) with the project's parameters", async () => {
    await expectVectors("firebase_scrypt", [FIREBASE], firebase);
  });

  it("Firebase scrypt without the project's parameters is unverifiable, even with the right password", async () => {
    expect(await checkLegacyHash(FIREBASE.password, FIREBASE.stored, none)).toBe("unverifiable");
    const otherProject = { ...FIREBASE_PARAMS, saltSeparator: new Uint8Array([8]) };
    expect(await checkLegacyHash(FIREBASE.password, FIREBASE.stored, { firebaseScrypt: otherProject })).toBe(
      "mismatch",
    );
  });

  it("our own $scrypt$ strings and unknown shapes are not legacy formats", () => {
    expect(legacyFormatOf("$scrypt$ln=15,r=8,p=3$c2FsdHNhbHRzYWx0$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5")).toBeNull();
    expect(legacyFormatOf("md5$seasalt$3f86d0d3d465b7b458c231bf3555c0e3")).toBeNull();
    expect(legacyFormatOf("plaintext password")).toBeNull();
  });
});
