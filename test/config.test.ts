// Config is read once from env and fails closed: every missing or malformed variable stops the Worker
// with a message that names the variable and never repeats its value.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Bindings } from "../src/bindings";
import { ConfigError, parseConfig } from "../src/config";

interface Jwk {
  kid: string;
  alg: string;
  d?: string;
  [member: string]: unknown;
}

const KEYS = (JSON.parse(env.SIGNING_KEYS) as { keys: Jwk[] }).keys;
const [ES256_KEY, EDDSA_KEY] = KEYS as [Jwk, Jwk];
const keySet = (keys: unknown[]) => JSON.stringify({ keys });

// Read loosely: the test env may not declare this secret yet while one-time codes are being added.
const { OTP_SECRET, TOTP_ENCRYPTION_KEY } = env as unknown as { OTP_SECRET?: string; TOTP_ENCRYPTION_KEY?: string };
const MAIL_API_KEY = "re_S3cretValue_9f8e7d6c5b4a";
/**
 * The variables parseConfig requires of a deployment (OTP_SECRET once one-time codes need it); the rest
 * default. A real issuer must name its mail and SMS providers.
 */
const VALID_ENV = {
  ISSUER: "https://auth.example.com",
  AUDIENCE: "example-api",
  SIGNING_KEYS: env.SIGNING_KEYS,
  ...(OTP_SECRET === undefined ? {} : { OTP_SECRET }),
  API_KEY_SECRET: env.API_KEY_SECRET,
  ...(TOTP_ENCRYPTION_KEY === undefined ? {} : { TOTP_ENCRYPTION_KEY }),
  MAIL_PROVIDER: "resend",
  MAIL_API_KEY,
  MAIL_FROM: "Acme <no-reply@acme.test>",
  SMS_PROVIDER: "none",
};

/** Parses VALID_ENV with `changes` applied and returns the ConfigError it must throw. */
function configErrorFor(changes: Record<string, unknown>): ConfigError {
  try {
    parseConfig({ ...VALID_ENV, ...changes });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`parseConfig accepted ${Object.keys(changes).join(", ")}`);
}

/** Every private value that could leak through an error message. */
const SECRETS = [
  MAIL_API_KEY,
  ...KEYS.map((key) => String(key.d)),
  ...(OTP_SECRET ? [OTP_SECRET] : []),
  env.API_KEY_SECRET,
  ...(TOTP_ENCRYPTION_KEY ? [TOTP_ENCRYPTION_KEY] : []),
];

function expectNamesWithoutValue(error: ConfigError, variable: string, value: unknown): void {
  expect(error.message).toContain(variable);
  // A value of a character or two ("x") occurs in any sentence; longer ones must not be echoed.
  if (typeof value === "string" && value.length > 2) expect(error.message).not.toContain(value);
  for (const secret of SECRETS) expect(error.message).not.toContain(secret);
}

describe("parseConfig with a valid env", () => {
  it("reads the required variables and fills every default", () => {
    const config = parseConfig(VALID_ENV);
    expect(config).toMatchObject({
      issuer: "https://auth.example.com",
      audience: "example-api",
      accessTokenTtlSeconds: 900,
      sessionIdleTimeoutSeconds: 1_209_600,
      sessionAbsoluteTtlSeconds: 2_592_000,
      refreshReuseGraceSeconds: 30,
      refreshTokenTransport: "body",
      corsOrigins: [],
      passwordScrypt: { logN: 15, blockSize: 8, parallelism: 3 },
      passwordMinLength: 8,
      passwordMaxLength: 128,
    });
    expect(config.signingKeys.map((key) => [key.kid, key.alg])).toEqual([
      [ES256_KEY.kid, "ES256"],
      [EDDSA_KEY.kid, "EdDSA"],
    ]);
  });

  it("reads mail, SMS and DEV_OUTBOX into the same Config", () => {
    const config = parseConfig(VALID_ENV);
    expect(config.mail).toMatchObject({ provider: "resend", apiKey: MAIL_API_KEY, productName: "edge-auth" });
    expect(config.sms).toEqual({ provider: "none", from: null, twilio: null, vonage: null, timeoutMs: 5000 });
    expect(config.devOutbox).toBe(false);
  });

  it("reads explicit values of the optional variables", () => {
    const config = parseConfig({
      ...VALID_ENV,
      ACCESS_TOKEN_TTL_SECONDS: "300",
      REFRESH_TOKEN_TRANSPORT: "cookie",
      CORS_ORIGINS: "https://app.example.com, http://localhost:5173",
      PASSWORD_SCRYPT: "ln=16,r=8,p=2",
    });
    expect(config.accessTokenTtlSeconds).toBe(300);
    expect(config.refreshTokenTransport).toBe("cookie");
    expect(config.corsOrigins).toEqual(["https://app.example.com", "http://localhost:5173"]);
    expect(config.passwordScrypt).toEqual({ logN: 16, blockSize: 8, parallelism: 2 });
  });

  it("ignores bindings that are not configuration (DB, KV, rate limiters)", () => {
    expect(() => parseConfig({ ...VALID_ENV, DB: env.DB, KV: env.KV, RATE_LIMIT_IP: env.RATE_LIMIT_IP })).not.toThrow();
  });
});

describe("parseConfig refuses, naming the variable and not its value", () => {
  const { d: _d, ...publicEs256 } = ES256_KEY;
  const cases: [string, string, unknown][] = [
    ["ISSUER is missing", "ISSUER", undefined],
    ["ISSUER is not a URL", "ISSUER", "auth example com"],
    ["ISSUER is not http(s)", "ISSUER", "ftp://auth.example.com"],
    ["ISSUER ends with a slash", "ISSUER", "https://auth.example.com/"],
    ["AUDIENCE is missing", "AUDIENCE", undefined],
    ["AUDIENCE is empty", "AUDIENCE", ""],
    ["SIGNING_KEYS is missing", "SIGNING_KEYS", undefined],
    ["SIGNING_KEYS is not JSON", "SIGNING_KEYS", `{"keys":[{"d":"${ES256_KEY.d}"`],
    ["SIGNING_KEYS holds no keys", "SIGNING_KEYS", keySet([])],
    ["SIGNING_KEYS is a bare key, not a set", "SIGNING_KEYS", JSON.stringify(ES256_KEY)],
    ["SIGNING_KEYS holds a public key (no d)", "SIGNING_KEYS", keySet([publicEs256, EDDSA_KEY])],
    ["SIGNING_KEYS repeats a kid", "SIGNING_KEYS", keySet([ES256_KEY, { ...EDDSA_KEY, kid: ES256_KEY.kid }])],
    ["SIGNING_KEYS holds an unsupported alg", "SIGNING_KEYS", keySet([{ ...ES256_KEY, alg: "ES384" }])],
    [
      "SIGNING_KEYS holds an HMAC key",
      "SIGNING_KEYS",
      keySet([{ kty: "oct", k: ES256_KEY.d, alg: "HS256", kid: "h" }]),
    ],
    ["SIGNING_KEYS holds a key without kid", "SIGNING_KEYS", keySet([{ ...ES256_KEY, kid: undefined }])],
    ["ACCESS_TOKEN_TTL_SECONDS is not a number", "ACCESS_TOKEN_TTL_SECONDS", "abc"],
    ["ACCESS_TOKEN_TTL_SECONDS is fractional", "ACCESS_TOKEN_TTL_SECONDS", "90.5"],
    ["ACCESS_TOKEN_TTL_SECONDS is too short", "ACCESS_TOKEN_TTL_SECONDS", "59"],
    ["ACCESS_TOKEN_TTL_SECONDS is too long", "ACCESS_TOKEN_TTL_SECONDS", "86401"],
    ["SESSION_IDLE_TIMEOUT_SECONDS is negative", "SESSION_IDLE_TIMEOUT_SECONDS", "-5"],
    ["REFRESH_REUSE_GRACE_SECONDS is too long", "REFRESH_REUSE_GRACE_SECONDS", "301"],
    ["REFRESH_TOKEN_TRANSPORT is unknown", "REFRESH_TOKEN_TRANSPORT", "x"],
    ["CORS_ORIGINS lists a URL with a path", "CORS_ORIGINS", "https://app.example.com/callback"],
    ["CORS_ORIGINS is a wildcard", "CORS_ORIGINS", "*"],
    ["CORS_ORIGINS hides a wildcard in a list", "CORS_ORIGINS", "https://app.example.com,*"],
    ["PASSWORD_SCRYPT exceeds N·r·p ≤ 2^20", "PASSWORD_SCRYPT", "ln=18,r=8,p=1"],
    ["PASSWORD_SCRYPT has ln above 20", "PASSWORD_SCRYPT", "ln=21,r=1,p=1"],
    ["PASSWORD_SCRYPT is malformed", "PASSWORD_SCRYPT", "N=32768,r=8,p=1"],
    ["PASSWORD_SCRYPT names PBKDF2", "PASSWORD_SCRYPT", "pbkdf2_sha256$600000"],
    ["PASSWORD_MIN_LENGTH is below 8", "PASSWORD_MIN_LENGTH", "4"],
  ];

  for (const [description, variable, value] of cases) {
    it(`throws ConfigError when ${description}`, () => {
      expectNamesWithoutValue(configErrorFor({ [variable]: value }), variable, value);
    });
  }

  it("never echoes the secret of a key that fails validation", () => {
    const error = configErrorFor({ SIGNING_KEYS: keySet([{ ...ES256_KEY, crv: "P-384" }]) });
    expectNamesWithoutValue(error, "SIGNING_KEYS", env.SIGNING_KEYS);
  });

  it("names every bad variable at once", () => {
    const error = configErrorFor({ ISSUER: undefined, AUDIENCE: undefined, REFRESH_TOKEN_TRANSPORT: "x" });
    for (const variable of ["ISSUER", "AUDIENCE", "REFRESH_TOKEN_TRANSPORT"]) expect(error.message).toContain(variable);
  });

  it("names bad mail, SMS and core variables in one error", () => {
    const error = configErrorFor({
      AUDIENCE: "",
      MAIL_TIMEOUT_MS: "fast",
      SMS_PROVIDER: undefined,
      DEV_OUTBOX: "true",
    });
    for (const variable of ["AUDIENCE", "MAIL_TIMEOUT_MS", "SMS_PROVIDER is required", "DEV_OUTBOX"]) {
      expect(error.message).toContain(variable);
    }
  });
});

describe("a Worker with broken configuration", () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  async function fetchWithEnv(changes: Record<string, unknown>): Promise<Response> {
    const worker = (await import("../src/index")).default;
    const brokenEnv = { ...env, ...changes } as unknown as Bindings;
    const ctx = createExecutionContext();
    const response = await worker.fetch(
      new Request("https://auth.test/v1/me", { headers: { "CF-Connecting-IP": "203.0.113.9" } }),
      brokenEnv,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    return response;
  }

  const brokenEnvs: [string, string, Record<string, unknown>][] = [
    ["SIGNING_KEYS is missing", "SIGNING_KEYS", { SIGNING_KEYS: undefined }],
    ["SIGNING_KEYS is not JSON", "SIGNING_KEYS", { SIGNING_KEYS: env.SIGNING_KEYS.slice(0, -3) }],
    ["ISSUER is missing", "ISSUER", { ISSUER: undefined }],
  ];

  for (const [description, variable, changes] of brokenEnvs) {
    it(`answers 500 internal_error without details and logs the variable's name when ${description}`, async () => {
      const logged = vi.spyOn(console, "error").mockImplementation(() => {});
      const response = await fetchWithEnv(changes);

      expect(response.status).toBe(500);
      expect(response.headers.get("Content-Type")).toBe("application/problem+json");
      const text = await response.text();
      expect(JSON.parse(text)).toEqual({
        type: "urn:edge-auth:error:internal_error",
        title: "Internal error",
        status: 500,
        code: "internal_error",
      });
      expect(text).not.toMatch(/\bat |stack|ConfigError|SIGNING_KEYS|ISSUER/);

      const lines = logged.mock.calls.map((args) => args.map(String).join(" "));
      expect(lines.some((line) => line.includes(variable))).toBe(true);
      for (const line of lines) for (const secret of SECRETS) expect(line).not.toContain(secret);
    });
  }

  it("answers 500 naming SIGNING_KEYS when a key has the right shape but unusable key material", async () => {
    const logged = vi.spyOn(console, "error").mockImplementation(() => {});
    const broken = keySet([{ ...ES256_KEY, x: "AAAA", y: "AAAA" }]);
    const response = await fetchWithEnv({ SIGNING_KEYS: broken });
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ code: "internal_error" });
    const lines = logged.mock.calls.map((args) => args.map(String).join(" "));
    expect(lines.some((line) => line.includes("SIGNING_KEYS"))).toBe(true);
    for (const line of lines) for (const secret of SECRETS) expect(line).not.toContain(secret);
  });

  it("keeps serving with the intact env once the broken one was refused", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    expect((await fetchWithEnv({ SIGNING_KEYS: undefined })).status).toBe(500);
    const worker = (await import("../src/index")).default;
    const ctx = createExecutionContext();
    const health = await worker.fetch(new Request("https://auth.test/health"), env as unknown as Bindings, ctx);
    expect(health.status).toBe(200);
  });
});
