// The API key format: `ea_sk_<32 base62>_<CRC32 base62>`. Property tests (fast-check) hold the
// checksum to its promise: every key we mint passes, and every typo a person or a copy makes fails
// before any database work.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  API_KEY_PATTERN,
  API_KEY_PREFIX,
  crc32,
  displayPrefixOf,
  generateApiKey,
  isWellFormedApiKey,
  toBase62,
} from "../src/crypto/api-key-format";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const RANDOM_START = API_KEY_PREFIX.length;
const RANDOM_END = RANDOM_START + 32;

/** A key of our format whose checksum is right, for any 32 base62 characters. */
const anyValidKey = fc
  .array(fc.constantFrom(...BASE62), { minLength: 32, maxLength: 32 })
  .map((chars) => `${API_KEY_PREFIX}${chars.join("")}`)
  .map((body) => `${body}_${toBase62(crc32(body), 6)}`);

describe("API key format", () => {
  it("computes CRC-32 as zlib does (the check value of '123456789', and the empty string)", () => {
    expect(crc32("123456789")).toBe(0xcbf43926);
    expect(crc32("")).toBe(0);
    expect(crc32("The quick brown fox jumps over the lazy dog")).toBe(0x414fa339);
  });

  it("writes base62 with left padding, and every 32-bit value fits six characters", () => {
    expect(toBase62(0, 6)).toBe("000000");
    expect(toBase62(61, 1)).toBe("z");
    expect(toBase62(62, 2)).toBe("10");
    expect(toBase62(0xffffffff, 6)).toHaveLength(6);
  });

  it("mints keys scanners recognise, that pass their own checksum, and differ every time", () => {
    const keys = Array.from({ length: 200 }, generateApiKey);
    for (const key of keys) {
      expect(key).toMatch(new RegExp(`^${API_KEY_PATTERN.source}$`));
      expect(isWellFormedApiKey(key)).toBe(true);
      expect(displayPrefixOf(key)).toBe(key.slice(0, 10));
    }
    expect(new Set(keys).size).toBe(keys.length);
  });

  it("draws the random part uniformly enough that every base62 character appears", () => {
    const seen = new Set(
      Array.from({ length: 200 }, generateApiKey).flatMap((key) => [...key.slice(RANDOM_START, RANDOM_END)]),
    );
    expect(seen.size).toBe(62);
  });

  it("accepts any key whose checksum matches its body", () => {
    fc.assert(fc.property(anyValidKey, (key) => isWellFormedApiKey(key)));
  });

  it("refuses every single-character substitution (CRC-32 catches all of them)", () => {
    fc.assert(
      fc.property(anyValidKey, fc.nat(), fc.constantFrom(...BASE62), (key, at, replacement) => {
        const index = RANDOM_START + (at % (key.length - RANDOM_START));
        if (key[index] === "_" || key[index] === replacement) return true;
        return !isWellFormedApiKey(`${key.slice(0, index)}${replacement}${key.slice(index + 1)}`);
      }),
    );
  });

  it("refuses two adjacent characters swapped", () => {
    fc.assert(
      fc.property(anyValidKey, fc.integer({ min: RANDOM_START, max: RANDOM_END - 2 }), (key, index) => {
        if (key[index] === key[index + 1]) return true;
        const swapped = `${key.slice(0, index)}${key[index + 1]}${key[index]}${key.slice(index + 2)}`;
        return !isWellFormedApiKey(swapped);
      }),
    );
  });

  it("refuses a key cut short, one with a character more, or padded with whitespace", () => {
    fc.assert(
      fc.property(anyValidKey, fc.integer({ min: 1, max: 44 }), fc.constantFrom(...BASE62), (key, cut, extra) => {
        return (
          !isWellFormedApiKey(key.slice(0, cut)) &&
          !isWellFormedApiKey(`${key}${extra}`) &&
          !isWellFormedApiKey(`${extra}${key}`) &&
          !isWellFormedApiKey(` ${key}`)
        );
      }),
    );
  });

  it("refuses another prefix, case changes of the prefix, and arbitrary strings", () => {
    const key = generateApiKey();
    for (const other of ["ea_pk_", "EA_SK_", "ea-sk-", "gh_sk_"])
      expect(isWellFormedApiKey(other + key.slice(6))).toBe(false);
    fc.assert(fc.property(fc.string({ maxLength: 60 }), (text) => !isWellFormedApiKey(text) || text === key));
  });
});
