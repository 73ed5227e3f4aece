// SMS_PROVIDER=outbox keeps texts in KV and never sends them, so like DEV_OUTBOX and
// MAIL_PROVIDER=outbox it is refused unless ISSUER is local (the rule in src/local-issuer.ts).
import { describe, expect, it } from "vitest";
import { ConfigError } from "../src/config";
import { isLocalIssuer } from "../src/local-issuer";
import { parseSmsConfig } from "../src/sms/sms-config";

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
