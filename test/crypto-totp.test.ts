// HOTP/TOTP against the RFCs' own vectors, base32, the AES-GCM box for TOTP secrets, recovery-code
// format, and the TOTP_ENCRYPTION_KEY setting.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../src/config";
import { utf8 } from "../src/crypto/encoding";
import { generateRecoveryCode, normalizeRecoveryCode } from "../src/crypto/recovery-code";
import { importSecretBoxKey, openSecret, sealSecret } from "../src/crypto/secret-box";
import {
  buildOtpauthUri,
  decodeBase32,
  encodeBase32,
  findTotpStep,
  generateHotp,
  generateTotp,
  importHotpKey,
  totpStepAt,
} from "../src/crypto/totp";

/** The 20-byte ASCII secret both RFCs use for HMAC-SHA1. */
const RFC_SECRET = utf8("12345678901234567890");

describe("HOTP (RFC 4226)", () => {
  it("matches every value of Appendix D", async () => {
    const expected = [
      "755224",
      "287082",
      "359152",
      "969429",
      "338314",
      "254676",
      "287922",
      "162583",
      "399871",
      "520489",
    ];
    const key = await importHotpKey(RFC_SECRET);
    for (const [counter, code] of expected.entries()) expect(await generateHotp(key, counter)).toBe(code);
  });

  it("refuses a counter outside 0..2^53", async () => {
    const key = await importHotpKey(RFC_SECRET);
    await expect(generateHotp(key, -1)).rejects.toThrow(RangeError);
    await expect(generateHotp(key, 2 ** 53)).rejects.toThrow(RangeError);
  });
});

describe("TOTP (RFC 6238)", () => {
  it("matches the SHA-1 rows of Appendix B (8 digits), including times past 2^32 seconds", async () => {
    const rows: [number, string][] = [
      [59, "94287082"],
      [1_111_111_109, "07081804"],
      [1_111_111_111, "14050471"],
      [1_234_567_890, "89005924"],
      [2_000_000_000, "69279037"],
      [20_000_000_000, "65353130"],
    ];
    for (const [time, code] of rows) expect(await generateTotp(RFC_SECRET, time, 8)).toBe(code);
  });

  it("uses 30-second steps and 6 digits by default", async () => {
    expect(totpStepAt(59)).toBe(1);
    expect(totpStepAt(60)).toBe(2);
    expect(await generateTotp(RFC_SECRET, 59)).toBe("287082");
  });

  it("finds the step of a code one step either side of now, and no further", async () => {
    const now = 1_700_000_015;
    const step = totpStepAt(now);
    for (const offset of [-1, 0, 1]) {
      const code = await generateTotp(RFC_SECRET, now + offset * 30);
      expect(await findTotpStep(RFC_SECRET, code, now)).toBe(step + offset);
    }
    for (const offset of [-2, 2, -10]) {
      const code = await generateTotp(RFC_SECRET, now + offset * 30);
      expect(await findTotpStep(RFC_SECRET, code, now)).toBeNull();
    }
  });

  it("refuses codes that are not exactly six digits", async () => {
    const now = 1_700_000_015;
    const code = await generateTotp(RFC_SECRET, now);
    for (const wrong of ["", code.slice(1), `${code}0`, `${code.slice(0, 5)}a`, ` ${code}`]) {
      expect(await findTotpStep(RFC_SECRET, wrong, now)).toBeNull();
    }
  });
});

describe("base32 (RFC 4648)", () => {
  const vectors: [string, string][] = [
    ["", ""],
    ["f", "MY"],
    ["fo", "MZXQ"],
    ["foo", "MZXW6"],
    ["foob", "MZXW6YQ"],
    ["fooba", "MZXW6YTB"],
    ["foobar", "MZXW6YTBOI"],
  ];

  it("encodes the §10 test vectors without padding and decodes them back", () => {
    for (const [plain, encoded] of vectors) {
      expect(encodeBase32(utf8(plain))).toBe(encoded);
      expect(decodeBase32(encoded)).toEqual(utf8(plain));
    }
    expect(encodeBase32(RFC_SECRET)).toBe("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  });

  it("decodes lower case, spaces and padding as apps show them, and refuses other characters", () => {
    expect(decodeBase32("mzxw 6ytb oi======")).toEqual(utf8("foobar"));
    expect(decodeBase32("MZXW1")).toBeNull();
    expect(decodeBase32("MZXW8")).toBeNull();
  });
});

describe("otpauth URI", () => {
  it("names issuer and account in the label and carries secret, issuer, algorithm, digits and period", () => {
    const uri = buildOtpauthUri("JBSWY3DPEHPK3PXP", "Acme Auth", "ada+x@example.com");
    expect(uri.startsWith("otpauth://totp/Acme%20Auth:ada%2Bx%40example.com?")).toBe(true);
    const query = new URLSearchParams(uri.slice(uri.indexOf("?") + 1));
    expect(Object.fromEntries(query)).toEqual({
      secret: "JBSWY3DPEHPK3PXP",
      issuer: "Acme Auth",
      algorithm: "SHA1",
      digits: "6",
      period: "30",
    });
    expect(uri).not.toContain("+");
  });
});

describe("secret box (AES-256-GCM)", () => {
  const keyBytes = crypto.getRandomValues(new Uint8Array(32));
  const secret = utf8("a TOTP secret of twenty");

  it("opens what it sealed for the same associated data", async () => {
    const key = await importSecretBoxKey(keyBytes);
    const sealed = await sealSecret(key, secret, "totp:user-a");
    expect(await openSecret(key, sealed, "totp:user-a")).toEqual(secret);
  });

  it("uses a fresh IV each time, so equal secrets do not seal alike", async () => {
    const key = await importSecretBoxKey(keyBytes);
    const first = await sealSecret(key, secret, "totp:user-a");
    const second = await sealSecret(key, secret, "totp:user-a");
    expect(first).not.toBe(second);
    expect(first.slice(0, 16)).not.toBe(second.slice(0, 16));
  });

  it("refuses another user's associated data, an altered byte, another key and malformed text", async () => {
    const key = await importSecretBoxKey(keyBytes);
    const sealed = await sealSecret(key, secret, "totp:user-a");
    expect(await openSecret(key, sealed, "totp:user-b")).toBeNull();
    const flipped = `${sealed.slice(0, 20)}${sealed[20] === "A" ? "B" : "A"}${sealed.slice(21)}`;
    expect(await openSecret(key, flipped, "totp:user-a")).toBeNull();
    const otherKey = await importSecretBoxKey(crypto.getRandomValues(new Uint8Array(32)));
    expect(await openSecret(otherKey, sealed, "totp:user-a")).toBeNull();
    for (const malformed of ["", "short", "not base64url!!", sealed.slice(0, 30)]) {
      expect(await openSecret(key, malformed, "totp:user-a")).toBeNull();
    }
  });

  it("accepts only 32-byte keys", async () => {
    await expect(importSecretBoxKey(new Uint8Array(16))).rejects.toThrow(RangeError);
  });
});

describe("recovery codes", () => {
  it("are 12 base32 characters in groups of four, 60 random bits each", () => {
    const codes = Array.from({ length: 200 }, generateRecoveryCode);
    for (const code of codes) expect(code).toMatch(/^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$/);
    expect(new Set(codes).size).toBe(codes.length);
    // Every one of the 32 symbols turns up over 2,400 draws.
    expect(new Set(codes.join("").replaceAll("-", "")).size).toBe(32);
  });

  it("are read back whatever the case, spaces or dashes, and refused when they cannot be codes", () => {
    const code = generateRecoveryCode();
    const compact = code.replaceAll("-", "");
    expect(normalizeRecoveryCode(code)).toBe(compact);
    expect(normalizeRecoveryCode(` ${compact.toUpperCase()} `)).toBe(compact);
    for (const wrong of ["", compact.slice(1), `${compact}a`, `${compact.slice(0, 11)}1`, `${compact.slice(0, 11)}!`]) {
      expect(normalizeRecoveryCode(wrong)).toBeNull();
    }
  });
});

describe("TOTP_ENCRYPTION_KEY", () => {
  const { TOTP_ENCRYPTION_KEY, OTP_SECRET } = env as unknown as Record<string, string>;
  // A local issuer, so mail and SMS default to the outbox.
  const base = {
    ISSUER: "https://auth.test",
    AUDIENCE: "api",
    SIGNING_KEYS: env.SIGNING_KEYS,
    OTP_SECRET,
    API_KEY_SECRET: env.API_KEY_SECRET,
  };
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  const standard = btoa(String.fromCharCode(...bytes));

  it("is read as 32 bytes from base64url or from padded standard base64 (openssl rand -base64 32)", () => {
    const fromTestEnv = parseConfig({ ...base, TOTP_ENCRYPTION_KEY });
    expect(fromTestEnv.totpEncryptionKey).toHaveLength(32);
    expect(parseConfig({ ...base, TOTP_ENCRYPTION_KEY: standard }).totpEncryptionKey).toEqual(bytes);
    const url = standard.replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
    expect(parseConfig({ ...base, TOTP_ENCRYPTION_KEY: url }).totpEncryptionKey).toEqual(bytes);
  });

  it("is required, and anything but 32 bytes stops the Worker with an error naming it and not its value", () => {
    const short = btoa("sixteen bytes!!!");
    const long = btoa(String.fromCharCode(...bytes, 1));
    for (const value of [undefined, "", short, long, "not*base64", "a".repeat(42)]) {
      let error: unknown;
      try {
        parseConfig({ ...base, TOTP_ENCRYPTION_KEY: value });
      } catch (caught) {
        error = caught;
      }
      expect(error, String(value)).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).message).toContain("TOTP_ENCRYPTION_KEY");
      if (value) expect((error as ConfigError).message).not.toContain(value);
    }
  });
});
