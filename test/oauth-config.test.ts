// Social login's config (OAUTH_*): a provider is off until configured, and a provider configured
// halfway refuses the Worker with a message naming the variable (never its value), so sign-in never
// runs with a missing secret or a tenant we did not mean.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { parseOAuthEnv } from "../src/config/oauth-env";
import { configWith, refusalOf } from "./support/config";

/** The test env without any OAUTH_ variable. */
const bare = Object.fromEntries(Object.entries(env).filter(([name]) => !name.startsWith("OAUTH_")));

describe("OAUTH_* config", () => {
  it("turns no provider on when nothing is configured", () => {
    const parsed = parseOAuthEnv(bare);
    expect(parsed).toEqual({ ok: true, value: { providers: [], redirectAllowlist: [], timeoutMs: 5000 } });
  });

  it("reads the test providers, their audiences and the Entra tenant's issuer", () => {
    const { oauth } = configWith({});
    expect(oauth.providers.map((provider) => provider.name)).toEqual([
      "google",
      "github",
      "apple",
      "microsoft",
      "acme",
      "local",
    ]);
    const google = oauth.providers.find((provider) => provider.name === "google");
    expect(google?.audiences).toEqual(["google-web.apps.test", "google-ios.apps.test"]);
    const microsoft = oauth.providers.find((provider) => provider.name === "microsoft");
    expect(microsoft).toMatchObject({
      subject: "tid_oid",
      issuer: `https://login.microsoftonline.com/${env.OAUTH_MICROSOFT_TENANT}/v2.0`,
    });
  });

  it("refuses a provider configured halfway, naming the missing variable and never a value", () => {
    const message = refusalOf({ OAUTH_GOOGLE_CLIENT_SECRET: undefined });
    expect(message).toContain("OAUTH_GOOGLE_CLIENT_SECRET is required");
    expect(refusalOf({ OAUTH_GITHUB_CLIENT_ID: undefined })).toContain("OAUTH_GITHUB_CLIENT_ID is required");
    expect(refusalOf({ OAUTH_APPLE_KEY_ID: undefined })).toContain("OAUTH_APPLE_KEY_ID is required");
    expect(refusalOf({ OAUTH_APPLE_PRIVATE_KEY: "not a key" })).toContain(
      "OAUTH_APPLE_PRIVATE_KEY must be a PKCS#8 PEM key",
    );
    expect(refusalOf({ OAUTH_MICROSOFT_TENANT: "common" })).toContain("OAUTH_MICROSOFT_TENANT must be a tenant id");
    expect(refusalOf({ OAUTH_ACME_CLIENT_SECRET: undefined })).toContain("OAUTH_ACME_CLIENT_SECRET is required");
    expect(message).not.toContain("google-web.apps.test");
    expect(refusalOf({ OAUTH_GOOGLE_CLIENT_SECRET: "has a space" })).not.toContain("has a space");
  });

  it("refuses a generic provider list that is malformed, names a built-in, or has an insecure issuer", () => {
    expect(refusalOf({ OAUTH_OIDC_PROVIDERS: "acme" })).toContain("OAUTH_OIDC_PROVIDERS must be name=issuer");
    expect(refusalOf({ OAUTH_OIDC_PROVIDERS: "google=https://idp.test" })).toContain("OAUTH_OIDC_PROVIDERS names");
    expect(refusalOf({ OAUTH_OIDC_PROVIDERS: "acme=http://idp.example.com" })).toContain("must be https");
    expect(refusalOf({ OAUTH_OIDC_PROVIDERS: "Acme=https://idp.test" })).toContain("lower-case");
  });

  it("refuses a redirect allowlist entry that is not an https URL without a fragment", () => {
    expect(refusalOf({ OAUTH_REDIRECT_ALLOWLIST: "app.test/cb" })).toContain(
      "OAUTH_REDIRECT_ALLOWLIST entries must be an absolute URL",
    );
    expect(refusalOf({ OAUTH_REDIRECT_ALLOWLIST: "http://app.example.com/cb" })).toContain("must be https");
    for (const entry of ["https://app.example.com/cb?code=1", "https://app.example.com/cb?from=x&error=y"])
      expect(refusalOf({ OAUTH_REDIRECT_ALLOWLIST: entry })).toContain("must not carry a code or error parameter");
    expect(refusalOf({ OAUTH_REDIRECT_ALLOWLIST: "https://app.test/cb#x" })).toContain("no fragment");
    expect(configWith({ OAUTH_REDIRECT_ALLOWLIST: "http://localhost:5173/cb" }).oauth.redirectAllowlist).toEqual([
      "http://localhost:5173/cb",
    ]);
  });

  it("bounds the provider deadline", () => {
    expect(refusalOf({ OAUTH_TIMEOUT_MS: "10" })).toContain("OAUTH_TIMEOUT_MS must be a whole number 500..30000");
  });
});
