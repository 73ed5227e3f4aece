// Attacks on access tokens: each crafted token must be refused by POST /v1/token/verify
// ({ active: false }) and by GET /v1/me (401 invalid_token with a WWW-Authenticate challenge).
import { env } from "cloudflare:workers";
import {
  base64url,
  CompactSign,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTHeaderParameters,
  type JWTPayload,
  SignJWT,
} from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { sessionOf, signUp, type TestAccount } from "./support/accounts";
import { call, readJson } from "./support/http";

interface PrivateJwk extends JWK {
  kid: string;
  alg: string;
}

const [CURRENT_KEY, RETIRING_KEY] = (JSON.parse(env.SIGNING_KEYS) as { keys: PrivateJwk[] }).keys as [
  PrivateJwk,
  PrivateJwk,
];
const NOW = () => Math.floor(Date.now() / 1000);

let account: TestAccount;
let sessionId: string;

beforeAll(async () => {
  account = await signUp();
  sessionId = await sessionOf(account.tokens.access_token);
});

/** Claims exactly like the ones the service issues, for the account created above. */
function validClaims(overrides: Record<string, unknown> = {}): JWTPayload {
  const now = NOW();
  return {
    iss: "https://auth.test",
    aud: "edge-auth-test",
    sub: account.userId,
    sid: sessionId,
    jti: crypto.randomUUID(),
    iat: now,
    exp: now + 600,
    email: account.email,
    email_verified: false,
    amr: ["pwd"],
    ...overrides,
  };
}

function withoutClaim(name: string): JWTPayload {
  const claims = validClaims();
  delete claims[name];
  return claims;
}

async function privateKeyOf(jwk: PrivateJwk): Promise<CryptoKey> {
  return (await importJWK(jwk, jwk.alg)) as CryptoKey;
}

/** Signs with one of our configured keys; the header starts as the service's own header. */
async function signWith(
  jwk: PrivateJwk,
  claims: JWTPayload = validClaims(),
  header: Partial<JWTHeaderParameters> = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: jwk.alg, kid: jwk.kid, typ: "at+jwt", ...header } as JWTHeaderParameters)
    .sign(await privateKeyOf(jwk));
}

/** A compact JWS assembled by hand, for headers jose refuses to produce. */
function unsignedToken(header: Record<string, unknown>, claims: JWTPayload = validClaims(), signature = ""): string {
  const encode = (value: unknown) => base64url.encode(JSON.stringify(value));
  return `${encode(header)}.${encode(claims)}.${signature}`;
}

async function verifyEndpoint(token: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await call("POST", "/v1/token/verify", { json: { token } });
  return { status: response.status, body: await readJson(response) };
}

async function expectRefusedByVerify(token: string): Promise<void> {
  const { status, body } = await verifyEndpoint(token);
  expect(status).toBe(200);
  expect(body).toEqual({ active: false });
}

async function expectRefusedAsBearer(response: Response): Promise<void> {
  expect(response.status).toBe(401);
  expect(response.headers.get("Content-Type")).toBe("application/problem+json");
  expect(response.headers.get("WWW-Authenticate")).toMatch(/^Bearer .*error="invalid_token"/);
  expect(await readJson(response)).toMatchObject({ code: "invalid_token", status: 401 });
}

async function expectRefusedByMe(token: string): Promise<void> {
  await expectRefusedAsBearer(await call("GET", "/v1/me", { token }));
}

async function expectRefusedEverywhere(token: string): Promise<void> {
  await expectRefusedByVerify(token);
  await expectRefusedByMe(token);
}

async function expectAccepted(token: string): Promise<void> {
  const { body } = await verifyEndpoint(token);
  expect(body).toMatchObject({ active: true, sub: account.userId, sid: sessionId });
  const me = await call("GET", "/v1/me", { token });
  expect(me.status).toBe(200);
  expect(await readJson(me)).toMatchObject({ id: account.userId });
}

function headerOf(token: string): Record<string, unknown> {
  const [encoded = ""] = token.split(".");
  return JSON.parse(new TextDecoder().decode(base64url.decode(encoded))) as Record<string, unknown>;
}

describe("the crafted baseline", () => {
  it("accepts a token crafted here with the current key, so every refusal below is due to its one change", async () => {
    await expectAccepted(await signWith(CURRENT_KEY));
  });
});

describe("algorithm confusion", () => {
  for (const alg of ["none", "None", "NONE", "nOnE"]) {
    it(`refuses an unsigned token with alg "${alg}"`, async () => {
      await expectRefusedEverywhere(unsignedToken({ alg, kid: CURRENT_KEY.kid, typ: "at+jwt" }));
    });
  }

  it('refuses alg "none" even when a signature part is present', async () => {
    const signed = await signWith(CURRENT_KEY);
    const signature = signed.split(".")[2] ?? "";
    await expectRefusedEverywhere(
      unsignedToken({ alg: "none", kid: CURRENT_KEY.kid, typ: "at+jwt" }, validClaims(), signature),
    );
  });

  describe("HS256 keyed with our public ES256 key", () => {
    const publicJwk = () => {
      const { d: _d, ...rest } = CURRENT_KEY;
      return rest;
    };
    const hmacTokenKeyedWith = (secret: Uint8Array) =>
      new SignJWT(validClaims()).setProtectedHeader({ alg: "HS256", kid: CURRENT_KEY.kid, typ: "at+jwt" }).sign(secret);

    it("refuses it keyed with the JWK as published in jwks.json", async () => {
      const jwks = await readJson<{ keys: JWK[] }>(await call("GET", "/.well-known/jwks.json"));
      const published = jwks.keys.find((key) => key.kid === CURRENT_KEY.kid);
      expect(published).toBeDefined();
      await expectRefusedEverywhere(await hmacTokenKeyedWith(new TextEncoder().encode(JSON.stringify(published))));
    });

    it("refuses it keyed with the raw public point, the SPKI bytes and the PEM text", async () => {
      const key = await crypto.subtle.importKey(
        "jwk",
        publicJwk() as JsonWebKey,
        { name: "ECDSA", namedCurve: "P-256" },
        true,
        ["verify"],
      );
      const raw = new Uint8Array((await crypto.subtle.exportKey("raw", key)) as ArrayBuffer);
      const spki = new Uint8Array((await crypto.subtle.exportKey("spki", key)) as ArrayBuffer);
      const pem = `-----BEGIN PUBLIC KEY-----\n${btoa(String.fromCharCode(...spki))}\n-----END PUBLIC KEY-----\n`;
      for (const secret of [raw, spki, new TextEncoder().encode(pem)]) {
        await expectRefusedEverywhere(await hmacTokenKeyedWith(secret));
      }
    });
  });

  it("refuses a token whose alg names another of our algorithms than its kid's key (EdDSA key, ES256 header)", async () => {
    const token = await signWith(CURRENT_KEY, validClaims(), { kid: RETIRING_KEY.kid });
    await expectRefusedEverywhere(token);
  });

  it("refuses a token signed by the retiring EdDSA key but labelled with the current key's kid", async () => {
    await expectRefusedEverywhere(await signWith(RETIRING_KEY, validClaims(), { kid: CURRENT_KEY.kid }));
  });
});

describe("forged signatures", () => {
  it("refuses a token signed by a foreign ES256 key that claims our kid", async () => {
    const { privateKey } = await generateKeyPair("ES256");
    const token = await new SignJWT(validClaims())
      .setProtectedHeader({ alg: "ES256", kid: CURRENT_KEY.kid, typ: "at+jwt" })
      .sign(privateKey);
    await expectRefusedEverywhere(token);
  });

  it("refuses a token whose signature has one bit flipped", async () => {
    const [header, payload, signature = ""] = (await signWith(CURRENT_KEY)).split(".");
    const bytes = base64url.decode(signature);
    bytes[10] = (bytes[10] ?? 0) ^ 0x01;
    await expectRefusedEverywhere(`${header}.${payload}.${base64url.encode(bytes)}`);
  });

  it("refuses a token whose signature is truncated", async () => {
    const token = await signWith(CURRENT_KEY);
    await expectRefusedEverywhere(token.slice(0, -8));
  });

  it("refuses a token whose signature is stripped, with or without the last dot", async () => {
    const [header, payload] = (await signWith(CURRENT_KEY)).split(".");
    await expectRefusedEverywhere(`${header}.${payload}.`);
    await expectRefusedEverywhere(`${header}.${payload}`);
  });

  it("refuses a valid signature moved onto a changed payload (another subject)", async () => {
    const [header, , signature] = (await signWith(CURRENT_KEY)).split(".");
    const other = await signUp();
    const payload = base64url.encode(JSON.stringify(validClaims({ sub: other.userId, email: other.email })));
    await expectRefusedEverywhere(`${header}.${payload}.${signature}`);
  });
});

describe("claims", () => {
  it("refuses an expired token", async () => {
    const now = NOW();
    await expectRefusedEverywhere(await signWith(CURRENT_KEY, validClaims({ iat: now - 1000, exp: now - 60 })));
  });

  it("refuses a token from another issuer", async () => {
    await expectRefusedEverywhere(await signWith(CURRENT_KEY, validClaims({ iss: "https://evil.test" })));
  });

  it("refuses a token whose issuer differs only by a trailing slash", async () => {
    await expectRefusedEverywhere(await signWith(CURRENT_KEY, validClaims({ iss: "https://auth.test/" })));
  });

  it("refuses a token for another audience, alone or in a list", async () => {
    await expectRefusedEverywhere(await signWith(CURRENT_KEY, validClaims({ aud: "another-api" })));
    await expectRefusedByVerify(await signWith(CURRENT_KEY, validClaims({ aud: ["another-api"] })));
  });

  for (const typ of ["JWT", "jwt", "at+jwt+evil", "id_token"]) {
    it(`refuses a token with typ "${typ}" (RFC 9068 §4 requires at+jwt)`, async () => {
      await expectRefusedEverywhere(await signWith(CURRENT_KEY, validClaims(), { typ }));
    });
  }

  it("refuses a token without typ", async () => {
    const token = await new SignJWT(validClaims())
      .setProtectedHeader({ alg: "ES256", kid: CURRENT_KEY.kid })
      .sign(await privateKeyOf(CURRENT_KEY));
    await expectRefusedEverywhere(token);
  });

  for (const claim of ["exp", "iat", "sub", "sid", "jti", "email", "iss", "aud"]) {
    it(`refuses a token without ${claim}`, async () => {
      await expectRefusedEverywhere(await signWith(CURRENT_KEY, withoutClaim(claim)));
    });
  }

  it("refuses a token that is not yet valid (nbf in the future)", async () => {
    await expectRefusedEverywhere(await signWith(CURRENT_KEY, validClaims({ nbf: NOW() + 3600 })));
  });

  it("refuses a token with claims of the wrong type (exp as a string, amr as a string)", async () => {
    await expectRefusedEverywhere(await signWith(CURRENT_KEY, validClaims({ exp: String(NOW() + 600) })));
    await expectRefusedEverywhere(await signWith(CURRENT_KEY, validClaims({ amr: "pwd" })));
  });

  it("refuses on /v1/me a well-signed token whose sub does not own its sid", async () => {
    const other = await signUp();
    await expectRefusedByMe(await signWith(CURRENT_KEY, validClaims({ sub: other.userId })));
  });
});

describe("key selection", () => {
  it("refuses a token with an unknown kid, and one without kid", async () => {
    await expectRefusedEverywhere(await signWith(CURRENT_KEY, validClaims(), { kid: "es256-unknown" }));
    const noKid = await new SignJWT(validClaims())
      .setProtectedHeader({ alg: "ES256", typ: "at+jwt" })
      .sign(await privateKeyOf(CURRENT_KEY));
    await expectRefusedEverywhere(noKid);
  });

  it("refuses a token whose kid looks like a path or property name", async () => {
    for (const kid of ["../../etc/passwd", "__proto__", "constructor"]) {
      await expectRefusedByVerify(await signWith(CURRENT_KEY, validClaims(), { kid }));
    }
  });

  it("refuses a header that points at a key (jku, x5u), even when the signature is ours", async () => {
    await expectRefusedEverywhere(
      await signWith(CURRENT_KEY, validClaims(), { jku: "https://evil.test/jwks.json" } as JWTHeaderParameters),
    );
    await expectRefusedEverywhere(
      await signWith(CURRENT_KEY, validClaims(), { x5u: "https://evil.test/cert.pem" } as JWTHeaderParameters),
    );
  });

  it("refuses an embedded jwk header, the attacker's own key or ours", async () => {
    const { privateKey, publicKey } = await generateKeyPair("ES256");
    const attackerJwk = await exportJWK(publicKey);
    const forged = await new SignJWT(validClaims())
      .setProtectedHeader({ alg: "ES256", kid: CURRENT_KEY.kid, typ: "at+jwt", jwk: attackerJwk })
      .sign(privateKey);
    await expectRefusedEverywhere(forged);

    const { d: _d, ...ourPublicJwk } = CURRENT_KEY;
    await expectRefusedEverywhere(await signWith(CURRENT_KEY, validClaims(), { jwk: ourPublicJwk }));
  });

  it("refuses an unknown critical header parameter (RFC 7515 §4.1.11)", async () => {
    const payload = new TextEncoder().encode(JSON.stringify(validClaims()));
    const token = await new CompactSign(payload)
      .setProtectedHeader({
        alg: "ES256",
        kid: CURRENT_KEY.kid,
        typ: "at+jwt",
        crit: ["urn:example:must-understand"],
        "urn:example:must-understand": true,
      })
      .sign(await privateKeyOf(CURRENT_KEY), { crit: { "urn:example:must-understand": true } });
    await expectRefusedEverywhere(token);
  });

  it("still accepts a token signed by the second, verify-only EdDSA key (rotation logs nobody out)", async () => {
    expect(RETIRING_KEY.alg).toBe("EdDSA");
    await expectAccepted(await signWith(RETIRING_KEY));
  });

  it("signs new tokens only with the first key in SIGNING_KEYS", async () => {
    const issued = [account.tokens.access_token, (await signUp()).tokens.access_token];
    for (const token of issued) {
      expect(headerOf(token)).toEqual({ alg: CURRENT_KEY.alg, kid: CURRENT_KEY.kid, typ: "at+jwt" });
    }
  });
});

describe("token kinds", () => {
  it("refuses a refresh token presented as a bearer access token", async () => {
    const fresh = await signUp();
    await expectRefusedEverywhere(fresh.tokens.refresh_token);
    // Presenting it did not spend it: it is still a working refresh token.
    const refreshed = await call("POST", "/v1/token/refresh", { json: { refresh_token: fresh.tokens.refresh_token } });
    expect(refreshed.status).toBe(200);
  });

  it("refuses arbitrary strings that are not JWTs", async () => {
    for (const token of ["x", "a.b.c", "....", "eyJ.eyJ.sig"]) {
      await expectRefusedEverywhere(token);
    }
  });

  it("refuses a token over 8 KB, even one we signed", async () => {
    const token = await signWith(CURRENT_KEY, validClaims({ padding: "x".repeat(8 * 1024) }));
    expect(token.length).toBeGreaterThan(8192);
    await expectRefusedByMe(token);
    const response = await call("POST", "/v1/token/verify", { json: { token } });
    // The verify body may bound the field itself (400) or pass it on to be found inactive; never active.
    if (response.status === 400) expect(await readJson(response)).toMatchObject({ code: "invalid_request" });
    else expect(await readJson(response)).toEqual({ active: false });
  });
});

describe("Authorization header variants", () => {
  it("accepts the scheme in any case (RFC 9110 §11.1: auth schemes are case-insensitive)", async () => {
    const token = account.tokens.access_token;
    for (const scheme of ["bearer", "BEARER"]) {
      const response = await call("GET", "/v1/me", { headers: { Authorization: `${scheme} ${token}` } });
      expect(response.status).toBe(200);
    }
  });

  it("refuses Basic credentials and a bare token without a scheme", async () => {
    const token = account.tokens.access_token;
    const basic = btoa(`${account.email}:${account.password}`);
    await expectRefusedAsBearer(await call("GET", "/v1/me", { headers: { Authorization: `Basic ${basic}` } }));
    await expectRefusedAsBearer(await call("GET", "/v1/me", { headers: { Authorization: `Basic ${token}` } }));
    await expectRefusedAsBearer(await call("GET", "/v1/me", { headers: { Authorization: token } }));
  });

  it("refuses a bearer header carrying two tokens or a token with a space inside", async () => {
    const token = account.tokens.access_token;
    await expectRefusedAsBearer(
      await call("GET", "/v1/me", { headers: { Authorization: `Bearer ${token} ${token}` } }),
    );
    await expectRefusedAsBearer(await call("GET", "/v1/me", { headers: { Authorization: "Bearer " } }));
  });

  it("never reads a token from the query string (RFC 6750 §2.3 is not supported)", async () => {
    const token = account.tokens.access_token;
    await expectRefusedAsBearer(await call("GET", `/v1/me?access_token=${encodeURIComponent(token)}`));
  });

  it("never reads a token from a form body field", async () => {
    const token = account.tokens.access_token;
    await expectRefusedAsBearer(await call("DELETE", "/v1/sessions", { form: { access_token: token } }));
  });
});
