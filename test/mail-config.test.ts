import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { ConfigError, parseConfig } from "../src/config";
import { parseMailConfig } from "../src/config/mail-env";

const SECRET_KEY = "re_S3cretValue_9f8e7d6c5b4a";
const RESEND = { MAIL_PROVIDER: "resend", MAIL_API_KEY: SECRET_KEY, MAIL_FROM: "Acme <no-reply@acme.test>" };

/** The ConfigError message `parse` throws for this env; fails the test if it does not throw one. */
function refusal(vars: Record<string, unknown>, parse: (vars: Record<string, unknown>) => unknown = parseMailConfig) {
  try {
    parse(vars);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).message;
  }
  throw new Error(`${parse.name} accepted the env`);
}

describe("parseMailConfig", () => {
  it("requires MAIL_PROVIDER when the issuer is not localhost, so production never mails into KV", () => {
    expect(refusal({ ISSUER: "https://auth.example.com" })).toContain("MAIL_PROVIDER is required");
  });

  it("defaults to the outbox on a localhost issuer, with a local sender, the product name edge-auth and a 5 s timeout", () => {
    expect(parseMailConfig({ ISSUER: "http://localhost:8787" })).toEqual({
      provider: "outbox",
      apiKey: null,
      from: "edge-auth <no-reply@localhost>",
      productName: "edge-auth",
      mailgunDomain: null,
      mailgunRegion: "us",
      timeoutMs: 5000,
    });
  });

  it("reads a real provider's key, sender, product name and timeout", () => {
    const config = parseMailConfig({ ...RESEND, MAIL_PRODUCT_NAME: "Acme", MAIL_TIMEOUT_MS: "2500" });
    expect(config).toMatchObject({ provider: "resend", apiKey: SECRET_KEY, from: RESEND.MAIL_FROM, timeoutMs: 2500 });
    expect(config.productName).toBe("Acme");
  });

  it("refuses a real provider without MAIL_API_KEY", () => {
    expect(refusal({ ...RESEND, MAIL_API_KEY: undefined })).toContain("MAIL_API_KEY");
    expect(refusal({ ...RESEND, MAIL_API_KEY: "  " })).toContain("MAIL_API_KEY");
  });

  it("refuses a real provider without MAIL_FROM, and a MAIL_FROM that is not an address", () => {
    expect(refusal({ ...RESEND, MAIL_FROM: undefined })).toContain("MAIL_FROM");
    expect(refusal({ ...RESEND, MAIL_FROM: "Acme <not an address>" })).toContain("MAIL_FROM");
    expect(refusal({ ...RESEND, MAIL_FROM: "a@b.test\r\nBcc: victim@example.com" })).toContain("MAIL_FROM");
  });

  it("refuses an unknown MAIL_PROVIDER without echoing it", () => {
    const message = refusal({ ...RESEND, MAIL_PROVIDER: "smtp-relay-zz" });
    expect(message).toContain("MAIL_PROVIDER");
    expect(message).not.toContain("smtp-relay-zz");
  });

  it("never puts the API key in the error, even when the key itself is malformed", () => {
    for (const env of [
      { ...RESEND, MAIL_FROM: "nonsense" },
      { ...RESEND, MAIL_API_KEY: `${SECRET_KEY} with spaces` },
      { ...RESEND, MAIL_TIMEOUT_MS: "fast" },
    ]) {
      const message = refusal(env);
      expect(message).not.toContain(SECRET_KEY);
    }
    expect(refusal({ ...RESEND, MAIL_API_KEY: `${SECRET_KEY} with spaces` })).toContain("MAIL_API_KEY");
  });

  it("requires MAILGUN_DOMAIN for mailgun, accepts MAILGUN_REGION us|eu and refuses anything else", () => {
    const mailgun = { ...RESEND, MAIL_PROVIDER: "mailgun" };
    expect(refusal(mailgun)).toContain("MAILGUN_DOMAIN");
    expect(refusal({ ...mailgun, MAILGUN_DOMAIN: "mg.acme.test/../evil" })).toContain("MAILGUN_DOMAIN");
    expect(parseMailConfig({ ...mailgun, MAILGUN_DOMAIN: "mg.acme.test", MAILGUN_REGION: "eu" })).toMatchObject({
      mailgunDomain: "mg.acme.test",
      mailgunRegion: "eu",
    });
    expect(refusal({ ...mailgun, MAILGUN_DOMAIN: "mg.acme.test", MAILGUN_REGION: "ap" })).toContain("MAILGUN_REGION");
  });

  it("refuses MAIL_TIMEOUT_MS outside 500..30000 and a product name that could break a subject line", () => {
    expect(refusal({ MAIL_TIMEOUT_MS: "499" })).toContain("MAIL_TIMEOUT_MS");
    expect(refusal({ MAIL_TIMEOUT_MS: "30001" })).toContain("MAIL_TIMEOUT_MS");
    expect(parseMailConfig({ MAIL_PROVIDER: "outbox", MAIL_TIMEOUT_MS: "500" }).timeoutMs).toBe(500);
    expect(refusal({ MAIL_PRODUCT_NAME: "Acme\r\nBcc: x@example.com" })).toContain("MAIL_PRODUCT_NAME");
  });
});

/** Issuers on this machine or under names that can never be a real domain (RFC 2606, RFC 6761). */
const LOCAL_ISSUERS = [
  "http://localhost:8787",
  "http://127.0.0.1:8787",
  "http://[::1]:8787",
  "http://auth.localhost:8787",
  "https://auth.test",
  "https://AUTH.Test",
];
/** Real (or possibly real) domains and addresses, including ones that merely contain a local name. */
const NON_LOCAL_ISSUERS = [
  "https://auth.example.com",
  "https://localhost.example.com",
  "https://test.example.com",
  "https://auth.test.example.com",
  "https://mytest",
  "https://authlocalhost",
  "http://10.0.0.1",
  "http://127.0.0.2",
];

// DEV_OUTBOX is no mail setting (it gates GET /dev/outbox and what both dev outboxes print), so it is
// read by the whole config: the test bindings with the issuer and the switch changed.
describe("parseConfig: DEV_OUTBOX", () => {
  it.each(LOCAL_ISSUERS)("is allowed when ISSUER is %s", (issuer) => {
    expect(parseConfig({ ...env, DEV_OUTBOX: "true", ISSUER: issuer }).devOutbox).toBe(true);
  });

  it.each([...NON_LOCAL_ISSUERS, undefined, "not a url"])(
    "is refused when ISSUER is %s, so it can never be on in production",
    (issuer) => {
      expect(refusal({ ...env, DEV_OUTBOX: "true", ISSUER: issuer }, parseConfig)).toContain("DEV_OUTBOX");
    },
  );

  it("is off unless exactly true, and refuses values other than true/false", () => {
    const production = { ...env, ...RESEND, SMS_PROVIDER: "none", ISSUER: "https://auth.example.com" };
    expect(parseConfig({ ...production, DEV_OUTBOX: "false" }).devOutbox).toBe(false);
    expect(refusal({ ...env, DEV_OUTBOX: "yes", ISSUER: "http://localhost:8787" }, parseConfig)).toContain(
      "DEV_OUTBOX",
    );
  });
});

describe("parseMailConfig: MAIL_PROVIDER outbox", () => {
  it.each(LOCAL_ISSUERS)("is allowed, named or by default, when ISSUER is %s", (issuer) => {
    expect(parseMailConfig({ MAIL_PROVIDER: "outbox", ISSUER: issuer }).provider).toBe("outbox");
    expect(parseMailConfig({ ISSUER: issuer }).provider).toBe("outbox");
  });

  it.each(NON_LOCAL_ISSUERS)(
    "is refused, naming MAIL_PROVIDER, when ISSUER is %s: mail would never be sent",
    (issuer) => {
      const message = refusal({ MAIL_PROVIDER: "outbox", ISSUER: issuer });
      expect(message).toContain("MAIL_PROVIDER outbox may only be used when ISSUER is local");
      expect(message).not.toContain(issuer);
    },
  );

  it("leaves a real provider alone on a real issuer", () => {
    expect(parseMailConfig({ ...RESEND, ISSUER: "https://auth.example.com" }).provider).toBe("resend");
  });
});
