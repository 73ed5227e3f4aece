// Token attacks on key selection: kid injection, keys the header points at or embeds, and key rotation.
import { env } from "cloudflare:workers";
import { base64url, CompactSign, exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import type { Bindings } from "../src/bindings";
import { countRows, signUp } from "./support/accounts";
import { callWith, readJson } from "./support/http";
import {
  CURRENT_KEY,
  callVerify,
  expectRefusedByMe,
  expectRefusedEverywhere,
  expectTokenFieldRefused,
  privateKeyOf,
  publicJwkOf,
  RETIRING_KEY,
  rejectionOf,
  signWith,
  useForgeryTarget,
} from "./support/token-forgery";

const target = useForgeryTarget();

function headerOf(token: string): Record<string, unknown> {
  const [encoded = ""] = token.split(".");
  return JSON.parse(new TextDecoder().decode(base64url.decode(encoded))) as Record<string, unknown>;
}

describe("kid injection", () => {
  it("refuses a token with an unknown kid, and one without kid", async () => {
    await expectRefusedEverywhere(await signWith(CURRENT_KEY, target.claims(), { kid: "es256-unknown" }));
    const noKid = await new SignJWT(target.claims())
      .setProtectedHeader({ alg: "ES256", typ: "at+jwt" })
      .sign(await privateKeyOf(CURRENT_KEY));
    await expectRefusedEverywhere(noKid);
  });

  it("refuses a token whose kid looks like a path or property name", async () => {
    for (const kid of ["../../etc/passwd", "__proto__", "constructor"]) {
      await expectRefusedEverywhere(await signWith(CURRENT_KEY, target.claims(), { kid }));
    }
  });

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
      const token = await signWith(CURRENT_KEY, target.claims(), { kid });
      await expectRefusedEverywhere(token);
      expect(await rejectionOf(token), JSON.stringify(kid)?.slice(0, 40)).toBe("token_invalid");
    }
    expect(await countRows("users")).toBe(usersBefore);
    // Nothing was cached or poisoned by the look-ups: our own kid still selects our key.
    await target.expectAccepted(await signWith(CURRENT_KEY, target.claims()));
  });

  it("refuses a 10 KB kid by length, before any key look-up (token_malformed)", async () => {
    const token = await signWith(CURRENT_KEY, target.claims(), { kid: "k".repeat(10 * 1024) });
    await expectRefusedByMe(token);
    expect(await rejectionOf(token)).toBe("token_malformed");
    await expectTokenFieldRefused(await callVerify(token));
  });
});

describe("keys named in the header", () => {
  it("refuses a header that points at a key (jku, x5u), even when the signature is ours", async () => {
    await expectRefusedEverywhere(await signWith(CURRENT_KEY, target.claims(), { jku: "https://evil.test/jwks.json" }));
    await expectRefusedEverywhere(await signWith(CURRENT_KEY, target.claims(), { x5u: "https://evil.test/cert.pem" }));
  });

  it("refuses an embedded jwk header, the attacker's own key or ours", async () => {
    const { privateKey, publicKey } = await generateKeyPair("ES256");
    const attackerJwk = await exportJWK(publicKey);
    const forged = await new SignJWT(target.claims())
      .setProtectedHeader({ alg: "ES256", kid: CURRENT_KEY.kid, typ: "at+jwt", jwk: attackerJwk })
      .sign(privateKey);
    await expectRefusedEverywhere(forged);
    await expectRefusedEverywhere(await signWith(CURRENT_KEY, target.claims(), { jwk: publicJwkOf(CURRENT_KEY) }));
  });

  it("refuses an unknown critical header parameter (RFC 7515 §4.1.11)", async () => {
    const payload = new TextEncoder().encode(JSON.stringify(target.claims()));
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
});

describe("key rotation", () => {
  /** The bindings after the retiring key was dropped: one object, so its service context is cached. */
  const withoutRetiredKey: Bindings = { ...env, SIGNING_KEYS: JSON.stringify({ keys: [CURRENT_KEY] }) };

  it("still accepts a token signed by the second, verify-only EdDSA key (rotation logs nobody out)", async () => {
    expect(RETIRING_KEY.alg).toBe("EdDSA");
    await target.expectAccepted(await signWith(RETIRING_KEY, target.claims()));
  });

  it("signs new tokens only with the first key in SIGNING_KEYS", async () => {
    const issued = [target.account.tokens.access_token, (await signUp()).tokens.access_token];
    for (const token of issued) {
      expect(headerOf(token)).toEqual({ alg: CURRENT_KEY.alg, kid: CURRENT_KEY.kid, typ: "at+jwt" });
    }
  });

  it("refuses a token signed by a key removed from SIGNING_KEYS, which the full key set still accepts", async () => {
    const token = await signWith(RETIRING_KEY, target.claims());
    await target.expectAccepted(token);
    await expectRefusedEverywhere(token, withoutRetiredKey);
    expect(await rejectionOf(token, withoutRetiredKey)).toBe("token_invalid");
  });

  it("keeps accepting tokens of the remaining key and no longer publishes the removed one", async () => {
    await target.expectAccepted(await signWith(CURRENT_KEY, target.claims()), withoutRetiredKey);
    const jwks = await readJson<{ keys: JWK[] }>(await callWith(withoutRetiredKey, "GET", "/.well-known/jwks.json"));
    expect(jwks.keys.map((key) => key.kid)).toEqual([CURRENT_KEY.kid]);
  });
});
