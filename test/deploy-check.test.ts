// `npm run deploy` first runs scripts/deploy-check.mjs; its rules are a pure function, checked here
// against each refusal and a configuration that must pass.
import { describe, expect, it } from "vitest";
import {
  type DeployConfig,
  deployProblems,
  isLocalHostname,
  REQUIRED_SECRETS,
} from "../scripts/deploy-check-rules.mjs";
import { isLocalIssuer } from "../src/local-issuer";

const ALL_SECRETS = [
  "SIGNING_KEYS",
  "OTP_SECRET",
  "TOTP_ENCRYPTION_KEY",
  "API_KEY_SECRET",
  "MAIL_API_KEY",
  "TWILIO_AUTH_TOKEN",
];

/** What a production wrangler.toml reads as: real ids, an https issuer, real providers. */
const GOOD: DeployConfig = {
  d1_databases: [{ binding: "DB", database_name: "edge-auth", database_id: "3f1c2a9e-5b7d-4c1e-9a2b-8d6f0e4c3b21" }],
  kv_namespaces: [{ binding: "KV", id: "9a1b2c3d4e5f60718293a4b5c6d7e8f9" }],
  vars: {
    ISSUER: "https://auth.example.com",
    AUDIENCE: "example-api",
    MAIL_PROVIDER: "resend",
    MAIL_FROM: "Acme <no-reply@example.com>",
    SMS_PROVIDER: "twilio",
    SMS_FROM: "+15005550006",
    TWILIO_ACCOUNT_SID: "AC0123456789abcdef0123456789abcdef",
  },
};

function withVars(changes: Record<string, unknown>): DeployConfig {
  return { ...GOOD, vars: { ...GOOD.vars, ...changes } };
}

/** The single problem `config` has; fails the test when it has none or several. */
function onlyProblem(config: DeployConfig, secrets: string[] = ALL_SECRETS): string {
  const problems = deployProblems(config, secrets);
  expect(problems).toHaveLength(1);
  return problems[0] ?? "";
}

describe("deployProblems", () => {
  it("passes a production configuration with every secret set", () => {
    expect(deployProblems(GOOD, ALL_SECRETS)).toEqual([]);
    const noSms = withVars({ SMS_PROVIDER: "none", SMS_FROM: undefined, TWILIO_ACCOUNT_SID: undefined });
    expect(deployProblems(noSms, REQUIRED_SECRETS.concat("MAIL_API_KEY"))).toEqual([]);
  });

  it("refuses the placeholder D1 and KV ids wrangler.toml ships with, naming the binding", () => {
    const config = {
      ...GOOD,
      d1_databases: [
        { binding: "DB", database_name: "edge-auth", database_id: "00000000-0000-0000-0000-000000000000" },
      ],
      kv_namespaces: [{ binding: "KV", id: "00000000000000000000000000000000" }],
    };
    const problems = deployProblems(config, ALL_SECRETS);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/d1_databases DB: database_id is a placeholder/);
    expect(problems[1]).toMatch(/kv_namespaces KV: id is a placeholder/);
    expect(onlyProblem({ ...GOOD, kv_namespaces: [{ binding: "KV" }] })).toMatch(/kv_namespaces KV/);
  });

  it.each([
    ["https://localhost:8787", /ISSUER .* names a local host/],
    ["https://localhost", /names a local host/],
    ["https://127.0.0.1", /names a local host/],
    ["https://[::1]", /names a local host/],
    ["https://auth.test", /names a local host/],
    ["https://auth.localhost", /names a local host/],
    ["http://auth.example.com", /is not https/],
    ["auth.example.com", /is not a URL/],
  ])("refuses ISSUER %s", (issuer, problem) => {
    expect(onlyProblem(withVars({ ISSUER: issuer }))).toMatch(problem);
  });

  it("refuses a missing ISSUER", () => {
    expect(onlyProblem(withVars({ ISSUER: undefined }))).toMatch(/ISSUER is not set/);
  });

  it("names both problems of a local http issuer", () => {
    expect(deployProblems(withVars({ ISSUER: "http://127.0.0.1:8787" }), ALL_SECRETS)).toHaveLength(2);
  });

  it.each([
    ["DEV_OUTBOX", "true", /DEV_OUTBOX=true/],
    ["DEV_OUTBOX", true, /DEV_OUTBOX=true/],
    ["MAIL_PROVIDER", "outbox", /MAIL_PROVIDER=outbox/],
    ["SMS_PROVIDER", "outbox", /SMS_PROVIDER=outbox/],
    ["MAIL_PROVIDER", undefined, /MAIL_PROVIDER is not set/],
    ["SMS_PROVIDER", undefined, /SMS_PROVIDER is not set/],
  ])("refuses the dev-only or missing switch %s=%s", (name, value, problem) => {
    const config = withVars({ [name]: value });
    // Without a mail or SMS provider, no provider credential is required either.
    expect(onlyProblem(config)).toMatch(problem);
  });

  it("lets DEV_OUTBOX=false through", () => {
    expect(deployProblems(withVars({ DEV_OUTBOX: "false" }), ALL_SECRETS)).toEqual([]);
  });

  it.each(REQUIRED_SECRETS)("refuses when the secret %s is not set, naming it", (name) => {
    const problem = onlyProblem(
      GOOD,
      ALL_SECRETS.filter((secret) => secret !== name),
    );
    expect(problem).toContain(`secret ${name} is not set`);
    expect(problem).toContain(`wrangler secret put ${name}`);
  });

  it("requires MAIL_API_KEY for a keyed mail provider", () => {
    for (const provider of ["resend", "postmark", "sendgrid", "mailgun"]) {
      const problem = onlyProblem(withVars({ MAIL_PROVIDER: provider }), [
        "SIGNING_KEYS",
        "OTP_SECRET",
        "TOTP_ENCRYPTION_KEY",
        "API_KEY_SECRET",
        "TWILIO_AUTH_TOKEN",
      ]);
      expect(problem).toContain(`secret MAIL_API_KEY is not set (MAIL_PROVIDER is ${provider})`);
    }
  });

  it("requires the SMS provider's secret and account, as a var or a secret", () => {
    expect(
      onlyProblem(
        GOOD,
        ALL_SECRETS.filter((name) => name !== "TWILIO_AUTH_TOKEN"),
      ),
    ).toContain("secret TWILIO_AUTH_TOKEN is not set (SMS_PROVIDER is twilio)");
    expect(onlyProblem(withVars({ TWILIO_ACCOUNT_SID: undefined }))).toContain("TWILIO_ACCOUNT_SID is not set");
    const asSecret = withVars({ TWILIO_ACCOUNT_SID: undefined });
    expect(deployProblems(asSecret, [...ALL_SECRETS, "TWILIO_ACCOUNT_SID"])).toEqual([]);

    const vonage = withVars({ SMS_PROVIDER: "vonage", SMS_FROM: "Acme", TWILIO_ACCOUNT_SID: undefined });
    const problems = deployProblems(vonage, REQUIRED_SECRETS.concat("MAIL_API_KEY"));
    expect(problems).toEqual([
      expect.stringContaining("secret VONAGE_API_SECRET is not set (SMS_PROVIDER is vonage)"),
      expect.stringContaining("VONAGE_API_KEY is not set"),
    ]);
  });

  it("refuses a secret kept in [vars], once, without repeating its value", () => {
    const value = "sk-live-do-not-print-me-0123456789";
    const problem = onlyProblem(
      withVars({ OTP_SECRET: value }),
      ALL_SECRETS.filter((name) => name !== "OTP_SECRET"),
    );
    expect(problem).toContain("OTP_SECRET is in [vars]");
    expect(problem).not.toContain(value);
  });

  it("checks no secret when they could not be listed (the script refuses for that itself)", () => {
    expect(deployProblems(GOOD, null)).toEqual([]);
  });

  it("names every problem of the wrangler.toml in the repository at once", () => {
    const repository: DeployConfig = {
      d1_databases: [
        { binding: "DB", database_name: "edge-auth", database_id: "00000000-0000-0000-0000-000000000000" },
      ],
      kv_namespaces: [{ binding: "KV", id: "00000000000000000000000000000000" }],
      vars: { ISSUER: "http://localhost:8787", AUDIENCE: "edge-auth" },
    };
    expect(deployProblems(repository, [])).toHaveLength(10);
  });
});

describe("what counts as local", () => {
  it.each([
    "localhost",
    "127.0.0.1",
    "[::1]",
    "a.localhost",
    "auth.test",
    "test",
    "localhost.example.com",
    "test.example.com",
    "mytest",
    "10.0.0.1",
    "auth.example.com",
  ])("is the same for the deploy check and the Worker's config: %s", (hostname) => {
    expect(isLocalHostname(hostname)).toBe(isLocalIssuer(`https://${hostname}`));
  });
});
