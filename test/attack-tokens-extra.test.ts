// More attacks on access tokens, beyond test/token-attacks.test.ts: time claims, kid injection,
// zero signatures, JWE and JSON serializations, huge tokens, duplicate JSON member names, revoked
// tokens re-encoded, a key removed from SIGNING_KEYS, typ spellings, other tokens and query strings.
// Each crafted token is refused by POST /v1/token/verify ({ active: false }), by GET /v1/me (401
// invalid_token) and, where the reason matters, by the service RPC uses (introspectAccessToken).
import { env } from "cloudflare:workers";
import {
  base64url,
  CompactEncrypt,
  FlattenedSign,
  GeneralSign,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTHeaderParameters,
  type JWTPayload,
  SignJWT,
} from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import type { Bindings } from "../src/bindings";
import { getServiceContext } from "../src/context";
import { introspectAccessToken } from "../src/services/token-verification";
import { countRows, sessionOf, signUp, type TestAccount } from "./support/accounts";
import { call, readJson } from "./support/http";
import { callAndSettle, callWith, latestCode } from "./support/mail";

interface PrivateJwk extends JWK {
  kid: string;
  alg: string;
}

const [CURRENT_KEY, RETIRING_KEY] = (JSON.parse(env.SIGNING_KEYS) as { keys: PrivateJwk[] }).keys as [
  PrivateJwk,
  PrivateJwk,
];
const NOW = () => Math.floor(Date.now() / 1000);
const encoder = new TextEncoder();

let account: TestAccount;
let sessionId: string;

beforeAll(async () => {
  account = await signUp();
  sessionId = await sessionOf(account.tokens.access_token);
});

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

async function privateKeyOf(jwk: PrivateJwk): Promise<CryptoKey> {
  return (await importJWK(jwk, jwk.alg)) as CryptoKey;
}

function publicJwkOf(jwk: PrivateJwk): JWK {
  const { d: _d, ...rest } = jwk;
  return rest;
}

async function signWith(
  jwk: PrivateJwk,
  claims: JWTPayload = validClaims(),
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: jwk.alg, kid: jwk.kid, typ: "at+jwt", ...header } as JWTHeaderParameters)
    .sign(await privateKeyOf(jwk));
}

/** Signs header and payload given as exact JSON text with our ES256 key: for JSON no serializer writes. */
async function signRawText(headerText: string, payloadText: string): Promise<string> {
  const input = `${base64url.encode(encoder.encode(headerText))}.${base64url.encode(encoder.encode(payloadText))}`;
  const key = await privateKeyOf(CURRENT_KEY);
  const signature = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key, encoder.encode(input));
  return `${input}.${base64url.encode(new Uint8Array(signature))}`;
}

const OUR_HEADER_TEXT = () => JSON.stringify({ alg: "ES256", kid: CURRENT_KEY.kid, typ: "at+jwt" });

async function verifyEndpoint(token: string, bindings?: Bindings): Promise<Response> {
  return bindings
    ? callWith(bindings, "POST", "/v1/token/verify", { json: { token } })
    : call("POST", "/v1/token/verify", { json: { token } });
}

async function expectRefusedByVerify(token: string, bindings?: Bindings): Promise<void> {
  const response = await verifyEndpoint(token, bindings);
  expect(response.status).toBe(200);
  expect(await readJson(response)).toEqual({ active: false });
}

async function expectRefusedAsBearer(response: Response): Promise<void> {
  expect(response.status).toBe(401);
  expect(response.headers.get("Content-Type")).toBe("application/problem+json");
  expect(response.headers.get("WWW-Authenticate")).toMatch(/^Bearer .*error="invalid_token"/);
  expect(await readJson(response)).toMatchObject({ code: "invalid_token", status: 401 });
}

async function expectRefusedByMe(token: string, bindings?: Bindings): Promise<void> {
  const response = bindings
    ? await callWith(bindings, "GET", "/v1/me", { token })
    : await call("GET", "/v1/me", { token });
  await expectRefusedAsBearer(response);
}

async function expectRefusedEverywhere(token: string, bindings?: Bindings): Promise<void> {
  await expectRefusedByVerify(token, bindings);
  await expectRefusedByMe(token, bindings);
}

async function expectAccepted(token: string, bindings?: Bindings): Promise<void> {
  const verified = await verifyEndpoint(token, bindings);
  expect(await readJson(verified)).toMatchObject({ active: true, sub: account.userId, sid: sessionId });
  const me = bindings ? await callWith(bindings, "GET", "/v1/me", { token }) : await call("GET", "/v1/me", { token });
  expect(me.status).toBe(200);
}

/** What the service behind RPC `verifyToken` answers, with its rejection reason. */
async function rejectionOf(token: string, bindings: Bindings = env): Promise<string | null> {
  const introspection = await introspectAccessToken(await getServiceContext(bindings), token);
  return introspection.active ? null : introspection.rejection;
}

describe("time claims", () => {
  it("refuses a token issued more than 60 s in the future, with token_invalid", async () => {
    for (const ahead of [120, 3600, 10 * 365 * 86400]) {
      const token = await signWith(CURRENT_KEY, validClaims({ iat: NOW() + ahead, exp: NOW() + ahead + 600 }));
      await expectRefusedEverywhere(token);
      expect(await rejectionOf(token)).toBe("token_invalid");
    }
  });

  it("accepts a token issued up to 60 s ahead, the clock skew allowed between locations", async () => {
    await expectAccepted(await signWith(CURRENT_KEY, validClaims({ iat: NOW() + 30 })));
  });

  it("honours nbf without tolerance: 5 s ahead is refused, 5 s ago is accepted", async () => {
    const early = await signWith(CURRENT_KEY, validClaims({ nbf: NOW() + 5 }));
    await expectRefusedEverywhere(early);
    expect(await rejectionOf(early)).toBe("token_invalid");
    await expectAccepted(await signWith(CURRENT_KEY, validClaims({ nbf: NOW() - 5 })));
  });

  it("refuses exp and iat of every non-numeric JSON type", async () => {
    const later = NOW() + 600;
    const variants = [
      { exp: null },
      { exp: true },
      { exp: [later] },
      { exp: { $gt: 0 } },
      { exp: `${later}` },
      { iat: `${NOW()}` },
      { iat: null },
      { nbf: "yesterday" },
    ];
    for (const variant of variants) {
      const token = await signWith(CURRENT_KEY, validClaims(variant));
      await expectRefusedEverywhere(token);
    }
  });

  it("refuses an exp of 1e400, which JSON.parse reads as Infinity (a token that would never expire)", async () => {
    const payload = JSON.stringify(validClaims({ exp: 0 })).replace('"exp":0', '"exp":1e400');
    expect(JSON.parse(payload).exp).toBe(Number.POSITIVE_INFINITY);
    const token = await signRawText(OUR_HEADER_TEXT(), payload);
    await expectRefusedEverywhere(token);
    // The same hand-signed route with a finite exp is accepted, so the refusal is the exp alone.
    await expectAccepted(await signRawText(OUR_HEADER_TEXT(), JSON.stringify(validClaims())));
  });
});

describe("kid injection", () => {
  const hostileKids: unknown[] = [
    "' OR 1=1 --",
    "es256' UNION SELECT 1 --",
    "../../x",
    "..\\..\\x",
    "/dev/null",
    "kid\u0000",
    "%00",
    "hasOwnProperty",
    "x".repeat(5000),
    1,
    null,
    {},
    [CURRENT_KEY.kid],
    { toString: CURRENT_KEY.kid },
  ];

  it("refuses path, SQL, property-name and non-string kids, even when the signature is ours", async () => {
    const usersBefore = await countRows("users");
    for (const kid of hostileKids) {
      const token = await signWith(CURRENT_KEY, validClaims(), { kid });
      await expectRefusedEverywhere(token);
      expect(await rejectionOf(token), JSON.stringify(kid)?.slice(0, 40)).toBe("token_invalid");
    }
    expect(await countRows("users")).toBe(usersBefore);
    // Nothing was cached or poisoned by the look-ups: our own kid still selects our key.
    await expectAccepted(await signWith(CURRENT_KEY));
  });

  it("refuses a 10 KB kid by length, before any key look-up (token_malformed)", async () => {
    const token = await signWith(CURRENT_KEY, validClaims(), { kid: "k".repeat(10 * 1024) });
    await expectRefusedByMe(token);
    expect(await rejectionOf(token)).toBe("token_malformed");
    const response = await verifyEndpoint(token);
    expect(response.status).toBe(400);
    expect(await readJson(response)).toMatchObject({ code: "invalid_request", errors: [{ field: "token" }] });
  });
});

describe("zero signatures", () => {
  it("refuses an ES256 token whose signature is all zero bytes (r = s = 0, CVE-2022-21449)", async () => {
    const [header, payload] = (await signWith(CURRENT_KEY)).split(".");
    const zero = base64url.encode(new Uint8Array(64));
    const token = `${header}.${payload}.${zero}`;
    await expectRefusedEverywhere(token);
    expect(await rejectionOf(token)).toBe("token_invalid");
  });

  it("refuses an EdDSA token whose signature is all zero bytes", async () => {
    const [header, payload] = (await signWith(RETIRING_KEY)).split(".");
    await expectRefusedEverywhere(`${header}.${payload}.${base64url.encode(new Uint8Array(64))}`);
  });

  it("refuses zero signatures of the wrong length (one byte, 32 bytes, 72 bytes)", async () => {
    const [header, payload] = (await signWith(CURRENT_KEY)).split(".");
    for (const length of [1, 32, 72]) {
      await expectRefusedEverywhere(`${header}.${payload}.${base64url.encode(new Uint8Array(length))}`);
    }
  });
});

describe("other serializations", () => {
  it("refuses a JWE (five parts) encrypted to our published public key with ECDH-ES", async () => {
    const publicKey = await importJWK({ ...publicJwkOf(CURRENT_KEY), alg: "ECDH-ES" }, "ECDH-ES");
    const token = await new CompactEncrypt(encoder.encode(JSON.stringify(validClaims())))
      .setProtectedHeader({ alg: "ECDH-ES", enc: "A256GCM", kid: CURRENT_KEY.kid, typ: "at+jwt" })
      .encrypt(publicKey);
    expect(token.split(".")).toHaveLength(5);
    await expectRefusedEverywhere(token);
    expect(await rejectionOf(token)).toBe("token_malformed");
  });

  it("refuses a dir-encrypted JWE and a five-part string made of a valid JWS", async () => {
    const secret = crypto.getRandomValues(new Uint8Array(32));
    const jwe = await new CompactEncrypt(encoder.encode(JSON.stringify(validClaims())))
      .setProtectedHeader({ alg: "dir", enc: "A256GCM", typ: "at+jwt" })
      .encrypt(secret);
    await expectRefusedEverywhere(jwe);
    const [header, payload, signature] = (await signWith(CURRENT_KEY)).split(".");
    await expectRefusedEverywhere(`${header}..${payload}..${signature}`);
  });

  it("refuses JWS JSON serializations (flattened and general) signed with our key, as a string", async () => {
    const payload = encoder.encode(JSON.stringify(validClaims()));
    const key = await privateKeyOf(CURRENT_KEY);
    const header = { alg: "ES256", kid: CURRENT_KEY.kid, typ: "at+jwt" };
    const flattened = await new FlattenedSign(payload).setProtectedHeader(header).sign(key);
    const general = await new GeneralSign(payload).addSignature(key).setProtectedHeader(header).sign();
    for (const serialized of [flattened, general]) {
      const token = JSON.stringify(serialized);
      await expectRefusedByVerify(token);
      expect(await rejectionOf(token)).toBe("token_malformed");
      // Quotes and braces are no token68 (RFC 7235 §2.1): the header is not even read as a bearer token.
      await expectRefusedAsBearer(await call("GET", "/v1/me", { headers: { Authorization: `Bearer ${token}` } }));
    }
  });

  it("refuses a JWS JSON serialization sent as an object instead of a string, naming the field", async () => {
    const payload = encoder.encode(JSON.stringify(validClaims()));
    const flattened = await new FlattenedSign(payload)
      .setProtectedHeader({ alg: "ES256", kid: CURRENT_KEY.kid, typ: "at+jwt" })
      .sign(await privateKeyOf(CURRENT_KEY));
    const response = await call("POST", "/v1/token/verify", { json: { token: flattened } });
    expect(response.status).toBe(400);
    expect(await readJson(response)).toMatchObject({ code: "invalid_request", errors: [{ field: "token" }] });
  });
});

describe("huge tokens", () => {
  const HUGE = `${"eyJ".repeat(10)}${"A".repeat(200 * 1024)}.${"B".repeat(100)}.${"C".repeat(86)}`;

  it("refuses a 200 KB token in a verify body with 413 payload_too_large, quickly and without a 500", async () => {
    const started = Date.now();
    const json = await call("POST", "/v1/token/verify", { json: { token: HUGE } });
    const form = await call("POST", "/v1/token/verify", { form: { token: HUGE } });
    for (const response of [json, form]) {
      expect(response.status).toBe(413);
      expect(response.headers.get("Content-Type")).toBe("application/problem+json");
      expect(await readJson(response)).toMatchObject({ code: "payload_too_large" });
    }
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("refuses a 200 KB bearer token with 401 and the service refuses it as token_malformed, quickly", async () => {
    const started = Date.now();
    await expectRefusedByMe(HUGE);
    expect(await rejectionOf(HUGE)).toBe("token_malformed");
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("refuses a 200 KB token we signed ourselves", async () => {
    const token = await signWith(CURRENT_KEY, validClaims({ padding: "p".repeat(200 * 1024) }));
    await expectRefusedByMe(token);
    expect(await rejectionOf(token)).toBe("token_malformed");
  });
});

describe("duplicate JSON member names (refused: RFC 7519 §4 allows refusing or last-wins)", () => {
  const claimsText = (extra: string) => {
    const text = JSON.stringify(validClaims());
    return `${text.slice(0, -1)},${extra}}`;
  };

  it("accepts the hand-assembled baseline the duplicates below are built from", async () => {
    await expectAccepted(await signRawText(OUR_HEADER_TEXT(), claimsText('"extra":1')));
  });

  it("refuses two sub claims, whichever comes last, with token_malformed", async () => {
    const other = await signUp();
    const otherFirst = await signRawText(OUR_HEADER_TEXT(), `{"sub":"${other.userId}",${claimsText('"x":1').slice(1)}`);
    const otherLast = await signRawText(OUR_HEADER_TEXT(), claimsText(`"sub":"${other.userId}"`));
    for (const token of [otherFirst, otherLast]) {
      await expectRefusedEverywhere(token);
      expect(await rejectionOf(token)).toBe("token_malformed");
    }
  });

  it("refuses a repeated claim even with the same value, and one repeated through an escape (s\\u0075b)", async () => {
    await expectRefusedEverywhere(await signRawText(OUR_HEADER_TEXT(), claimsText(`"sub":"${account.userId}"`)));
    await expectRefusedEverywhere(await signRawText(OUR_HEADER_TEXT(), claimsText(`"s\\u0075b":"${account.userId}"`)));
  });

  it("refuses a repeated header parameter (two typ, two kid, two alg)", async () => {
    const payload = JSON.stringify(validClaims());
    const kid = CURRENT_KEY.kid;
    for (const header of [
      `{"alg":"ES256","kid":"${kid}","typ":"JWT","typ":"at+jwt"}`,
      `{"alg":"ES256","kid":"unknown","kid":"${kid}","typ":"at+jwt"}`,
      `{"alg":"none","alg":"ES256","kid":"${kid}","typ":"at+jwt"}`,
    ]) {
      await expectRefusedEverywhere(await signRawText(header, payload));
    }
  });

  it("accepts the same name in different objects (nested values are not duplicates)", async () => {
    const token = await signRawText(OUR_HEADER_TEXT(), claimsText('"cnf":{"sub":"a","x":[{"sub":1},{"sub":2}]}'));
    await expectAccepted(token);
  });
});

describe("a revoked token re-encoded", () => {
  async function loggedOutToken(): Promise<{ token: string; claims: JWTPayload }> {
    const victim = await signUp();
    const token = victim.tokens.access_token;
    expect((await call("POST", "/v1/logout", { token })).status).toBe(204);
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(token.split(".")[1] ?? ""))) as JWTPayload;
    expect(await env.KV.get(`revoked:sid:${claims.sid}`)).not.toBeNull();
    return { token, claims };
  }

  it("refuses the same claims re-signed by a foreign key that claims our kid", async () => {
    const { claims } = await loggedOutToken();
    const { privateKey } = await generateKeyPair("ES256");
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: "ES256", kid: CURRENT_KEY.kid, typ: "at+jwt" })
      .sign(privateKey);
    await expectRefusedEverywhere(forged);
    expect(await rejectionOf(forged)).toBe("token_invalid");
  });

  it("refuses the same claims re-serialized (other key order and spacing) under the original signature", async () => {
    const { token, claims } = await loggedOutToken();
    const [header, , signature] = token.split(".");
    const reordered = Object.fromEntries(Object.entries(claims).reverse());
    const payload = base64url.encode(encoder.encode(JSON.stringify(reordered, null, 1)));
    await expectRefusedEverywhere(`${header}.${payload}.${signature}`);
  });

  it("refuses the same jti re-signed by our own verify-only key: revocation is by jti and sid, not token bytes", async () => {
    const { claims } = await loggedOutToken();
    const resigned = await signWith(RETIRING_KEY, claims);
    await expectRefusedEverywhere(resigned);
    expect(await rejectionOf(resigned)).toBe("token_revoked");
  });

  it("refuses a fresh jti on the revoked session, re-signed by our key: the sid is denied too", async () => {
    const { claims } = await loggedOutToken();
    const resigned = await signWith(CURRENT_KEY, { ...claims, jti: crypto.randomUUID() });
    await expectRefusedEverywhere(resigned);
    expect(await rejectionOf(resigned)).toBe("token_revoked");
    expect(await env.KV.get(`revoked:sid:${claims.sid}`)).not.toBeNull();
  });
});

describe("a key removed from SIGNING_KEYS", () => {
  /** The bindings after the retiring key was dropped: one object, so its service context is cached. */
  const withoutRetiredKey: Bindings = { ...env, SIGNING_KEYS: JSON.stringify({ keys: [CURRENT_KEY] }) };

  it("refuses a token signed by the removed key, which the full key set still accepts", async () => {
    const token = await signWith(RETIRING_KEY);
    await expectAccepted(token);
    await expectRefusedEverywhere(token, withoutRetiredKey);
    expect(await rejectionOf(token, withoutRetiredKey)).toBe("token_invalid");
  });

  it("keeps accepting tokens of the remaining key and no longer publishes the removed one", async () => {
    await expectAccepted(await signWith(CURRENT_KEY), withoutRetiredKey);
    const jwks = await readJson<{ keys: JWK[] }>(await callWith(withoutRetiredKey, "GET", "/.well-known/jwks.json"));
    expect(jwks.keys.map((key) => key.kid)).toEqual([CURRENT_KEY.kid]);
  });
});

describe("typ spellings (RFC 9068 §4: at+jwt or application/at+jwt; media types are case-insensitive)", () => {
  for (const typ of ["AT+JWT", "at+JWT", "application/at+jwt", "Application/AT+JWT"]) {
    it(`accepts typ "${typ}"`, async () => {
      await expectAccepted(await signWith(CURRENT_KEY, validClaims(), { typ }));
    });
  }

  const refused: unknown[] = [
    "application/jwt",
    "application/at+jwt; charset=utf-8",
    " at+jwt",
    "at+jwt ",
    "text/at+jwt",
    "application/at+jwt+x",
    "",
    ["at+jwt"],
    1,
    null,
  ];
  it("refuses every other typ, including non-strings and media-type parameters", async () => {
    for (const typ of refused) {
      const token = await signWith(CURRENT_KEY, validClaims(), { typ });
      await expectRefusedEverywhere(token);
      expect(await rejectionOf(token), JSON.stringify(typ)).toBe("token_invalid");
    }
  });
});

describe("other tokens of ours presented as access tokens", () => {
  it("refuses a password-reset link token as a bearer and at verify, and the link still resets", async () => {
    const victim = await signUp();
    expect((await callAndSettle("POST", "/v1/password/forgot", { json: { email: victim.email } })).status).toBe(202);
    const { token } = await latestCode(victim.email, "reset_password");
    await expectRefusedEverywhere(token);
    expect(await rejectionOf(token)).toBe("token_malformed");
    const reset = await callAndSettle("POST", "/v1/password/reset", {
      json: { token, new_password: "a different long passphrase" },
    });
    expect(reset.status).toBe(204);
  });
});

describe("tokens in the query string", () => {
  it("does not read /v1/token/verify's token from the query string", async () => {
    const token = encodeURIComponent(account.tokens.access_token);
    const response = await call("POST", `/v1/token/verify?token=${token}`, { json: {} });
    expect(response.status).toBe(400);
    expect(await readJson(response)).toMatchObject({ code: "invalid_request", errors: [{ field: "token" }] });
  });

  it("uses the Authorization header and ignores a conflicting access_token in the query", async () => {
    const other = await signUp();
    const path = `/v1/me?access_token=${encodeURIComponent(other.tokens.access_token)}`;
    const response = await call("GET", path, { token: account.tokens.access_token });
    expect(response.status).toBe(200);
    expect(await readJson(response)).toMatchObject({ id: account.userId });
  });

  it("does not revoke anything for a token in the query of DELETE /v1/sessions or POST /v1/logout", async () => {
    const victim = await signUp();
    const query = `?access_token=${encodeURIComponent(victim.tokens.access_token)}`;
    await expectRefusedAsBearer(await call("DELETE", `/v1/sessions${query}`));
    await expectRefusedAsBearer(await call("POST", `/v1/logout${query}`));
    const live = await env.DB.prepare("select count(*) as n from sessions where user_id = ? and revoked_at is null")
      .bind(victim.userId)
      .first<{ n: number }>();
    expect(live?.n).toBe(1);
    expect((await call("GET", "/v1/me", { token: victim.tokens.access_token })).status).toBe(200);
  });
});
