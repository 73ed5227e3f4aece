// FIREBASE_SCRYPT_*: off when none is set, all four required once one is, each in Firebase's own
// range; a refusal names the variables, never the signer key.
import { describe, expect, it } from "vitest";
import { configWith, refusalOf } from "./support/config";
import { FIREBASE_ENV, FIREBASE_PARAMS } from "./support/legacy-hashes";

describe("FIREBASE_SCRYPT_* config", () => {
  it("is off (null) when no variable is set, or all are blank", () => {
    expect(configWith({}).firebaseScrypt).toBeNull();
    const blank = Object.fromEntries(Object.keys(FIREBASE_ENV).map((name) => [name, " "]));
    expect(configWith(blank).firebaseScrypt).toBeNull();
  });

  it("reads the project's parameters as the Firebase console shows them", () => {
    expect(configWith(FIREBASE_ENV).firebaseScrypt).toEqual(FIREBASE_PARAMS);
  });

  it("refuses a half-configured project, naming each missing variable", () => {
    const message = refusalOf({ FIREBASE_SCRYPT_SIGNER_KEY: FIREBASE_ENV.FIREBASE_SCRYPT_SIGNER_KEY });
    for (const name of ["FIREBASE_SCRYPT_SALT_SEPARATOR", "FIREBASE_SCRYPT_ROUNDS", "FIREBASE_SCRYPT_MEM_COST"]) {
      expect(message).toContain(name);
    }
    expect(message).not.toContain(FIREBASE_ENV.FIREBASE_SCRYPT_SIGNER_KEY);
  });

  it("refuses values outside Firebase's ranges or not base64, never echoing them", () => {
    const bad = {
      FIREBASE_SCRYPT_ROUNDS: ["0", "9", "8.5", "-1"],
      FIREBASE_SCRYPT_MEM_COST: ["0", "15", "20"],
      FIREBASE_SCRYPT_SIGNER_KEY: ["not base64!", "c2hvcnQ="],
      FIREBASE_SCRYPT_SALT_SEPARATOR: ["B*=="],
    };
    for (const [name, values] of Object.entries(bad)) {
      for (const value of values) {
        const message = refusalOf({ ...FIREBASE_ENV, [name]: value });
        expect(message, `${name}=${value}`).toContain(name);
        if (name === "FIREBASE_SCRYPT_SIGNER_KEY") expect(message).not.toContain(value);
      }
    }
  });
});
