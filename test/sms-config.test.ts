// The SMS section of config fails closed naming the variable. SMS_PROVIDER=outbox keeps texts in KV
// and never sends them, so like DEV_OUTBOX and MAIL_PROVIDER=outbox it is refused unless ISSUER is
// local (the rule in src/local-issuer.ts).
import { describe, expect, it } from "vitest";
import { ConfigError } from "../src/config";
import { parseSmsConfig } from "../src/config/sms-env";
import { isLocalIssuer } from "../src/local-issuer";

const ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef";
const AUTH_TOKEN = "twilio-auth-token-5f4e3d2c1b";
const VONAGE_KEY = "a1b2c3d4";

/** The ConfigError message parseSmsConfig throws for this env; fails the test if it does not throw one. */
function refusal(env: Record<string, unknown>): string {
  try {
    parseSmsConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error("parseSmsConfig accepted the env");
}

describe("parseSmsConfig: SMS_PROVIDER outbox", () => {
  it.each([
    "http://localhost:8787",
    "http://127.0.0.1:8787",
    "http://[::1]:8787",
    "http://a.localhost",
    "https://auth.test",
  ])("is allowed, named or by default, when ISSUER is %s", (issuer) => {
    expect(parseSmsConfig({ SMS_PROVIDER: "outbox", ISSUER: issuer }).provider).toBe("outbox");
    expect(parseSmsConfig({ ISSUER: issuer }).provider).toBe("outbox");
  });

  it.each(["https://auth.example.com", "https://localhost.example.com", "https://test.example.com", "http://10.0.0.1"])(
    "is refused, naming SMS_PROVIDER, when ISSUER is %s: codes would never be texted",
    (issuer) => {
      const message = refusal({ SMS_PROVIDER: "outbox", ISSUER: issuer });
      expect(message).toContain("SMS_PROVIDER outbox may only be used when ISSUER is local");
      expect(message).not.toContain(issuer);
    },
  );

  it("leaves none and real providers alone on a real issuer", () => {
    expect(parseSmsConfig({ SMS_PROVIDER: "none", ISSUER: "https://auth.example.com" }).provider).toBe("none");
    const vonage = { SMS_PROVIDER: "vonage", SMS_FROM: "Acme", VONAGE_API_KEY: "k1", VONAGE_API_SECRET: "s1" };
    expect(parseSmsConfig({ ...vonage, ISSUER: "https://auth.example.com" }).provider).toBe("vonage");
  });
});

describe("isLocalIssuer", () => {
  it("counts a hostname as local only when it is loopback or under a reserved top-level name", () => {
    expect(isLocalIssuer("http://localhost")).toBe(true);
    expect(isLocalIssuer("https://x.y.test")).toBe(true);
    expect(isLocalIssuer("https://test")).toBe(true);
    // Only the exact names: a URL's path or user part never makes an issuer local.
    expect(isLocalIssuer("https://evil.example/x.test")).toBe(false);
    expect(isLocalIssuer("https://localhost@evil.example")).toBe(false);
    expect(isLocalIssuer("https://evil.example?h=.localhost")).toBe(false);
    expect(isLocalIssuer(null)).toBe(false);
    expect(isLocalIssuer("")).toBe(false);
  });
});

describe("parseSmsConfig", () => {
  const TWILIO = {
    ISSUER: "https://auth.example.com",
    SMS_PROVIDER: "twilio",
    SMS_FROM: "+15005550006",
    TWILIO_ACCOUNT_SID: ACCOUNT_SID,
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
  };

  it("requires SMS_PROVIDER when the issuer is not localhost, and defaults to the outbox on localhost", () => {
    expect(refusal({ ISSUER: "https://auth.example.com" })).toContain("SMS_PROVIDER is required");
    expect(parseSmsConfig({ ISSUER: "http://localhost:8787" })).toEqual({
      provider: "outbox",
      from: null,
      twilio: null,
      vonage: null,
      timeoutMs: 5000,
    });
  });

  it("reads Twilio's credentials and sender, and Vonage's", () => {
    expect(parseSmsConfig({ ...TWILIO, SMS_TIMEOUT_MS: "2500" })).toEqual({
      provider: "twilio",
      from: "+15005550006",
      twilio: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN },
      vonage: null,
      timeoutMs: 2500,
    });
    const vonage = { SMS_PROVIDER: "vonage", SMS_FROM: "Acme", VONAGE_API_KEY: VONAGE_KEY, VONAGE_API_SECRET: "x1" };
    expect(parseSmsConfig(vonage)).toMatchObject({
      provider: "vonage",
      vonage: { apiKey: VONAGE_KEY, apiSecret: "x1" },
    });
    expect(parseSmsConfig({ SMS_PROVIDER: "none" })).toMatchObject({ provider: "none", from: null });
  });

  it.each([
    ["TWILIO_AUTH_TOKEN", { TWILIO_AUTH_TOKEN: undefined }],
    ["TWILIO_AUTH_TOKEN", { TWILIO_AUTH_TOKEN: "has a space secretvalue" }],
    ["TWILIO_ACCOUNT_SID", { TWILIO_ACCOUNT_SID: "SK-not-an-account-sid" }],
    ["SMS_FROM", { SMS_FROM: undefined }],
    ["SMS_FROM", { SMS_FROM: "+0123456789" }],
    ["SMS_FROM", { SMS_FROM: "TwelveLetter" }],
    ["SMS_PROVIDER", { SMS_PROVIDER: "carrier-pigeon" }],
    ["SMS_TIMEOUT_MS", { SMS_TIMEOUT_MS: "10" }],
  ])("names %s when it is missing or malformed, without echoing its value", (variable, changes) => {
    const message = refusal({ ...TWILIO, ...changes });
    expect(message).toContain(variable);
    const value = Object.values(changes)[0];
    if (typeof value === "string") expect(message).not.toContain(value);
    expect(message).not.toContain(AUTH_TOKEN);
  });

  it("requires both Vonage credentials and never echoes the secret", () => {
    const message = refusal({ SMS_PROVIDER: "vonage", SMS_FROM: "Acme", VONAGE_API_SECRET: "bad secret!" });
    expect(message).toContain("VONAGE_API_KEY is required");
    expect(message).toContain("VONAGE_API_SECRET must be printable ASCII");
    expect(message).not.toContain("bad secret!");
  });

  it("refuses a Messaging Service SID as the sender of any provider but Twilio", () => {
    const vonage = { SMS_PROVIDER: "vonage", VONAGE_API_KEY: "k", VONAGE_API_SECRET: "s" };
    expect(refusal({ ...vonage, SMS_FROM: "MG0123456789abcdef0123456789abcdef" })).toContain("SMS_FROM");
  });
});
