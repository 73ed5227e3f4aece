// A fake identity provider behind the intercepted outbound fetch (as the mail tests stub fetch): it
// answers the real hosts of Google, Apple, Microsoft Entra (the test tenant), GitHub
// (test/support/oauth-github-fake.ts) and the generic OIDC providers https://idp.test and
// http://idp.localhost. Each OIDC issuer has discovery, a JWKS with the fake's own ES256 key, and a token endpoint that checks
// client authentication, redirect_uri and the PKCE verifier, and refuses a code used before. Any
// other host fails like an unreachable network: no test reaches the internet.
import { env } from "cloudflare:workers";
import { exportJWK, generateKeyPair, importJWK, importPKCS8, type JWTPayload, jwtVerify, SignJWT } from "jose";
import { vi } from "vitest";
import { answerGitHub, type GitHubState, newGitHubState } from "./oauth-github-fake";

export const MS_TENANT = env.OAUTH_MICROSOFT_TENANT as string;
export const ISSUERS = {
  google: "https://accounts.google.com",
  apple: "https://appleid.apple.com",
  microsoft: `https://login.microsoftonline.com/${MS_TENANT}/v2.0`,
  acme: "https://idp.test",
  // A developer's own IdP on this machine, over plain http (the config admits http only there).
  local: "http://idp.localhost",
} as const;
export type OidcProvider = keyof typeof ISSUERS;

/** The generic provider's variables are named after it, so the Bindings type cannot list them. */
const generic = env as unknown as Record<string, unknown>;

const CLIENTS: Record<OidcProvider, { id: string; secret: string | null }> = {
  google: { id: env.OAUTH_GOOGLE_CLIENT_ID as string, secret: env.OAUTH_GOOGLE_CLIENT_SECRET as string },
  apple: { id: env.OAUTH_APPLE_CLIENT_ID as string, secret: null },
  microsoft: { id: env.OAUTH_MICROSOFT_CLIENT_ID as string, secret: env.OAUTH_MICROSOFT_CLIENT_SECRET as string },
  acme: { id: String(generic.OAUTH_ACME_CLIENT_ID), secret: String(generic.OAUTH_ACME_CLIENT_SECRET) },
  local: { id: String(generic.OAUTH_LOCAL_CLIENT_ID), secret: String(generic.OAUTH_LOCAL_CLIENT_SECRET) },
};
export const clientIdOf = (provider: OidcProvider) => CLIENTS[provider].id;

/** One key pair for the whole file's isolate: the Worker caches the JWKS it fetched. */
const signingKey = generateKeyPair("ES256", { extractable: true });
export const KID = "fake-idp-1";

interface IssuedCode {
  provider: OidcProvider;
  redirectUri: string;
  codeChallenge: string | null;
  claims: JWTPayload;
  used: boolean;
}

export interface RecordedRequest {
  url: string;
  method: string;
  headers: Headers;
  body: string;
}

export interface FakeIdp {
  /** Every request the Worker sent out, in order (bodies read as text). */
  requests: RecordedRequest[];
  /** true: every outbound request fails as a network error. */
  down: boolean;
  /** Answers the token endpoint instead (a 302, a 500, an error body). */
  tokenAnswer: ((request: Request) => Response) | null;
  /** Applied to the claims of each ID token the token endpoint mints. */
  claimOverrides: JWTPayload;
  github: GitHubState;
  /** What the provider's login page answers for `authorizeUrl` once `person` signed in. */
  approve(authorizeUrl: string, person: JWTPayload, options?: { iss?: string | null }): Promise<URLSearchParams>;
  idToken(
    provider: OidcProvider,
    claims: JWTPayload,
    options?: { kid?: string; key?: CryptoKey; typ?: string },
  ): Promise<string>;
  /** A Google access token ("ya29.…") that tokeninfo describes with `claims` (aud, exp overridable). */
  googleAccessToken(claims: JWTPayload): string;
  /** Makes a code the token endpoint redeems (for the popup flow), bound to `redirectUri`. */
  code(provider: OidcProvider, person: JWTPayload, redirectUri: string, codeChallenge?: string): string;
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
const tokenError = (error: string, status = 400) => json({ error }, status);

async function s256(verifier: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  return btoa(String.fromCharCode(...digest))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
}

/** Apple's client secret is a JWT signed with the configured key: checked against its public half. */
async function appleSecretValid(secret: string): Promise<boolean> {
  const privateKey = await importPKCS8(env.OAUTH_APPLE_PRIVATE_KEY as string, "ES256", { extractable: true });
  const { d: _, ...publicJwk } = await exportJWK(privateKey);
  try {
    await jwtVerify(secret, await importJWK(publicJwk, "ES256"), {
      issuer: env.OAUTH_APPLE_TEAM_ID as string,
      subject: CLIENTS.apple.id,
      audience: "https://appleid.apple.com",
    });
    return true;
  } catch {
    return false;
  }
}

function discovery(issuer: string) {
  return {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    jwks_uri: `${issuer}/jwks`,
    userinfo_endpoint: `${issuer}/userinfo`,
    response_types_supported: ["code"],
    id_token_signing_alg_values_supported: ["ES256"],
    // RFC 9207 for the generic provider: its callbacks carry `iss`, and the Worker must check it.
    authorization_response_iss_parameter_supported: issuer === ISSUERS.acme,
  };
}

export function installFakeIdp(): FakeIdp {
  const codes = new Map<string, IssuedCode>();
  const accessTokens = new Map<string, JWTPayload>();
  const fake: FakeIdp = {
    requests: [],
    down: false,
    tokenAnswer: null,
    claimOverrides: {},
    github: newGitHubState(),
    async approve(authorizeUrl, person, options = {}) {
      const url = new URL(authorizeUrl);
      const provider = (Object.keys(ISSUERS) as OidcProvider[]).find((name) => authorizeUrl.startsWith(ISSUERS[name]));
      if (!provider) throw new Error(`not a fake OIDC authorize URL: ${authorizeUrl}`);
      const code = fake.code(
        provider,
        { nonce: url.searchParams.get("nonce") ?? undefined, ...person },
        url.searchParams.get("redirect_uri") ?? "",
        url.searchParams.get("code_challenge") ?? undefined,
      );
      const answer = new URLSearchParams({ code, state: url.searchParams.get("state") ?? "" });
      const iss = options.iss === undefined ? (provider === "acme" ? ISSUERS.acme : null) : options.iss;
      if (iss) answer.set("iss", iss);
      return answer;
    },
    async idToken(provider, claims, options = {}) {
      const now = Math.floor(Date.now() / 1000);
      const payload = { iss: ISSUERS[provider], aud: CLIENTS[provider].id, iat: now, exp: now + 600, ...claims };
      const key = options.key ?? (await signingKey).privateKey;
      const typ = options.typ === undefined ? {} : { typ: options.typ };
      return new SignJWT(payload).setProtectedHeader({ alg: "ES256", kid: options.kid ?? KID, ...typ }).sign(key);
    },
    googleAccessToken(claims) {
      const token = `ya29.${crypto.randomUUID()}`;
      const now = Math.floor(Date.now() / 1000);
      accessTokens.set(token, { aud: CLIENTS.google.id, azp: CLIENTS.google.id, exp: now + 3600, ...claims });
      return token;
    },
    code(provider, person, redirectUri, codeChallenge) {
      const code = crypto.randomUUID();
      codes.set(code, { provider, redirectUri, codeChallenge: codeChallenge ?? null, claims: person, used: false });
      return code;
    },
  };

  async function tokenEndpoint(provider: OidcProvider, request: Request): Promise<Response> {
    if (fake.tokenAnswer) return fake.tokenAnswer(request);
    const form = new URLSearchParams(await request.text());
    const client = CLIENTS[provider];
    const authenticated =
      form.get("client_id") === client.id &&
      (client.secret === null
        ? await appleSecretValid(form.get("client_secret") ?? "")
        : form.get("client_secret") === client.secret);
    if (!authenticated) return tokenError("invalid_client", 401);
    const issued = codes.get(form.get("code") ?? "");
    if (form.get("grant_type") !== "authorization_code" || !issued || issued.provider !== provider)
      return tokenError("invalid_grant");
    if (issued.used) return tokenError("invalid_grant");
    issued.used = true;
    if (issued.redirectUri !== form.get("redirect_uri")) return tokenError("invalid_grant");
    const verifier = form.get("code_verifier");
    if (issued.codeChallenge !== null && (verifier === null || (await s256(verifier)) !== issued.codeChallenge))
      return tokenError("invalid_grant");
    if (issued.codeChallenge === null && verifier !== null) return tokenError("invalid_grant");
    const idToken = await fake.idToken(provider, { ...issued.claims, ...fake.claimOverrides });
    return json({ access_token: crypto.randomUUID(), token_type: "Bearer", expires_in: 3600, id_token: idToken });
  }

  async function answer(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const github = await answerGitHub(fake.github, request, url);
    if (github) return github;
    if (url.host === "oauth2.googleapis.com" && url.pathname === "/tokeninfo") {
      // Google's tokeninfo: numbers as strings, 400 invalid_token for anything it did not issue.
      const info = accessTokens.get(url.searchParams.get("access_token") ?? "");
      if (!info) return json({ error: "invalid_token", error_description: "Invalid Value" }, 400);
      return json({ ...info, exp: String(info.exp), email_verified: String(info.email_verified ?? "true") });
    }
    for (const provider of Object.keys(ISSUERS) as OidcProvider[]) {
      const issuer = ISSUERS[provider];
      if (!request.url.startsWith(`${issuer}/`)) continue;
      const path = request.url.slice(issuer.length).split("?")[0];
      if (path === "/.well-known/openid-configuration") return json(discovery(issuer));
      if (path === "/jwks")
        return json({
          keys: [{ ...(await exportJWK((await signingKey).publicKey)), kid: KID, alg: "ES256", use: "sig" }],
        });
      if (path === "/token" && request.method === "POST") return tokenEndpoint(provider, request);
      return json({ error: "not_found" }, 404);
    }
    throw new TypeError(`Network connection lost (no such host in the tests: ${url.host})`);
  }

  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    const { url, method, headers } = request;
    fake.requests.push({ url, method, headers: new Headers(headers), body: await request.clone().text() });
    if (fake.down) throw new TypeError("Network connection lost.");
    return answer(request);
  });
  return fake;
}
