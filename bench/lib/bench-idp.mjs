// An OIDC identity provider for the social-login scenarios, in the bench's own Node process on
// 127.0.0.1 and configured into edge-auth as a generic provider (OAUTH_OIDC_PROVIDERS=bench=http://…):
// a provider is another machine, so its work (the token endpoint, signing the ID token) must not be
// counted in the Worker's CPU the way the in-process dev provider's is. It answers discovery, its
// JWKS (one ES256 key), an authorization endpoint that approves at once (302 back with a code), and
// a token endpoint that checks client authentication, redirect_uri and the PKCE verifier, and
// refuses a code used before.
import { createHash, randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { exportJWK, generateKeyPair, SignJWT } from "jose";

const CLIENT_ID = "edge-auth-bench";
const CLIENT_SECRET = "edge-auth-bench-secret";
const KID = "bench-idp-1";

const s256 = (verifier) => createHash("sha256").update(verifier).digest("base64url");

function readBody(request) {
  return new Promise((resolve, reject) => {
    let body = "";
    request.setEncoding("utf8");
    request.on("data", (chunk) => {
      body += chunk;
    });
    request.on("end", () => resolve(body));
    request.on("error", reject);
  });
}

function send(response, status, body, headers = {}) {
  response.writeHead(status, { "Content-Type": "application/json", "Cache-Control": "no-store", ...headers });
  response.end(body === null ? "" : JSON.stringify(body));
}

/** Starts the provider; `vars` configure edge-auth for it, `close` stops it. */
export async function startBenchIdp({ redirectAllowlist }) {
  const { publicKey, privateKey } = await generateKeyPair("ES256");
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid: KID, alg: "ES256", use: "sig" }] };
  /** code → what it was issued for; deleted when redeemed. */
  const codes = new Map();
  let issuer = "";
  let people = 0;

  async function token(request, response) {
    const form = new URLSearchParams(await readBody(request));
    if (form.get("client_id") !== CLIENT_ID || form.get("client_secret") !== CLIENT_SECRET)
      return send(response, 401, { error: "invalid_client" });
    const issued = codes.get(form.get("code") ?? "");
    codes.delete(form.get("code") ?? "");
    const verifier = form.get("code_verifier") ?? "";
    if (
      form.get("grant_type") !== "authorization_code" ||
      !issued ||
      issued.redirectUri !== form.get("redirect_uri") ||
      issued.challenge !== s256(verifier)
    )
      return send(response, 400, { error: "invalid_grant" });
    const now = Math.floor(Date.now() / 1000);
    const idToken = await new SignJWT({ email: issued.email, email_verified: true, nonce: issued.nonce })
      .setProtectedHeader({ alg: "ES256", kid: KID })
      .setIssuer(issuer)
      .setAudience(CLIENT_ID)
      .setSubject(issued.subject)
      .setIssuedAt(now)
      .setExpirationTime(now + 300)
      .sign(privateKey);
    send(response, 200, { access_token: randomUUID(), token_type: "Bearer", expires_in: 300, id_token: idToken });
  }

  function authorize(url, response) {
    const query = url.searchParams;
    const code = randomUUID();
    // Fifty people, so the scenarios sign existing accounts in (the common case) after their first.
    const person = people++ % 50;
    codes.set(code, {
      redirectUri: query.get("redirect_uri"),
      challenge: query.get("code_challenge"),
      nonce: query.get("nonce"),
      subject: `bench-person-${person}`,
      email: `oauth-bench-${person}@bench.example.com`,
    });
    const back = new URL(query.get("redirect_uri") ?? "");
    back.searchParams.set("code", code);
    back.searchParams.set("state", query.get("state") ?? "");
    send(response, 302, null, { Location: back.href });
  }

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? "/", issuer);
    const route = `${request.method} ${url.pathname}`;
    if (route === "GET /.well-known/openid-configuration")
      return send(response, 200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ["code"],
        id_token_signing_alg_values_supported: ["ES256"],
      });
    if (route === "GET /jwks") return send(response, 200, jwks);
    if (route === "GET /authorize") return authorize(url, response);
    if (route === "POST /token") return token(request, response).catch(() => send(response, 500, null));
    send(response, 404, { error: "not_found" });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  issuer = `http://127.0.0.1:${server.address().port}`;
  return {
    issuer,
    vars: {
      OAUTH_OIDC_PROVIDERS: `bench=${issuer}`,
      OAUTH_BENCH_CLIENT_ID: CLIENT_ID,
      OAUTH_BENCH_CLIENT_SECRET: CLIENT_SECRET,
      OAUTH_REDIRECT_ALLOWLIST: redirectAllowlist,
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
