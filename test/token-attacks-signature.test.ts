// Token attacks on the signature: alg "none" and algorithm confusion, forged, moved and zeroed signatures.
import { base64url, generateKeyPair, type JWK, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { signUp } from "./support/accounts";
import { call, readJson } from "./support/http";
import {
  CURRENT_KEY,
  expectRefusedEverywhere,
  publicJwkOf,
  RETIRING_KEY,
  rejectionOf,
  signWith,
  unsignedToken,
  useForgeryTarget,
} from "./support/token-forgery";

const target = useForgeryTarget();

describe("the crafted baseline", () => {
  it("accepts a token crafted here with the current key, so every refusal below is due to its one change", async () => {
    await target.expectAccepted(await signWith(CURRENT_KEY, target.claims()));
  });
});

describe("algorithm confusion", () => {
  it.each(["none", "None", "NONE", "nOnE"])('refuses an unsigned token with alg "%s"', async (alg) => {
    await expectRefusedEverywhere(unsignedToken({ alg, kid: CURRENT_KEY.kid, typ: "at+jwt" }, target.claims()));
  });

  it('refuses alg "none" even when a signature part is present', async () => {
    const signed = await signWith(CURRENT_KEY, target.claims());
    const signature = signed.split(".")[2] ?? "";
    await expectRefusedEverywhere(
      unsignedToken({ alg: "none", kid: CURRENT_KEY.kid, typ: "at+jwt" }, target.claims(), signature),
    );
  });

  describe("HS256 keyed with our public ES256 key", () => {
    const hmacTokenKeyedWith = (secret: Uint8Array) =>
      new SignJWT(target.claims())
        .setProtectedHeader({ alg: "HS256", kid: CURRENT_KEY.kid, typ: "at+jwt" })
        .sign(secret);

    it("refuses it keyed with the JWK as published in jwks.json", async () => {
      const jwks = await readJson<{ keys: JWK[] }>(await call("GET", "/.well-known/jwks.json"));
      const published = jwks.keys.find((key) => key.kid === CURRENT_KEY.kid);
      expect(published).toBeDefined();
      await expectRefusedEverywhere(await hmacTokenKeyedWith(new TextEncoder().encode(JSON.stringify(published))));
    });

    it("refuses it keyed with the raw public point, the SPKI bytes and the PEM text", async () => {
      const key = await crypto.subtle.importKey(
        "jwk",
        publicJwkOf(CURRENT_KEY) as JsonWebKey,
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
    await expectRefusedEverywhere(await signWith(CURRENT_KEY, target.claims(), { kid: RETIRING_KEY.kid }));
  });

  it("refuses a token signed by the retiring EdDSA key but labelled with the current key's kid", async () => {
    await expectRefusedEverywhere(await signWith(RETIRING_KEY, target.claims(), { kid: CURRENT_KEY.kid }));
  });
});

describe("forged signatures", () => {
  it("refuses a token signed by a foreign ES256 key that claims our kid", async () => {
    const { privateKey } = await generateKeyPair("ES256");
    const token = await new SignJWT(target.claims())
      .setProtectedHeader({ alg: "ES256", kid: CURRENT_KEY.kid, typ: "at+jwt" })
      .sign(privateKey);
    await expectRefusedEverywhere(token);
    expect(await rejectionOf(token)).toBe("token_invalid");
  });

  it("refuses a token whose signature has one bit flipped", async () => {
    const [header, payload, signature = ""] = (await signWith(CURRENT_KEY, target.claims())).split(".");
    const bytes = base64url.decode(signature);
    bytes[10] = (bytes[10] ?? 0) ^ 0x01;
    await expectRefusedEverywhere(`${header}.${payload}.${base64url.encode(bytes)}`);
  });

  it("refuses a token whose signature is truncated", async () => {
    const token = await signWith(CURRENT_KEY, target.claims());
    await expectRefusedEverywhere(token.slice(0, -8));
  });

  it("refuses a token whose signature is stripped, with or without the last dot", async () => {
    const [header, payload] = (await signWith(CURRENT_KEY, target.claims())).split(".");
    await expectRefusedEverywhere(`${header}.${payload}.`);
    await expectRefusedEverywhere(`${header}.${payload}`);
  });

  it("refuses a valid signature moved onto a changed payload (another subject)", async () => {
    const [header, , signature] = (await signWith(CURRENT_KEY, target.claims())).split(".");
    const other = await signUp();
    const payload = base64url.encode(JSON.stringify(target.claims({ sub: other.userId, email: other.email })));
    await expectRefusedEverywhere(`${header}.${payload}.${signature}`);
  });
});

describe("zero signatures", () => {
  it("refuses an ES256 token whose signature is all zero bytes (r = s = 0, CVE-2022-21449)", async () => {
    const [header, payload] = (await signWith(CURRENT_KEY, target.claims())).split(".");
    const token = `${header}.${payload}.${base64url.encode(new Uint8Array(64))}`;
    await expectRefusedEverywhere(token);
    expect(await rejectionOf(token)).toBe("token_invalid");
  });

  it("refuses an EdDSA token whose signature is all zero bytes", async () => {
    const [header, payload] = (await signWith(RETIRING_KEY, target.claims())).split(".");
    await expectRefusedEverywhere(`${header}.${payload}.${base64url.encode(new Uint8Array(64))}`);
  });

  it("refuses zero signatures of the wrong length (one byte, 32 bytes, 72 bytes)", async () => {
    const [header, payload] = (await signWith(CURRENT_KEY, target.claims())).split(".");
    for (const length of [1, 32, 72]) {
      await expectRefusedEverywhere(`${header}.${payload}.${base64url.encode(new Uint8Array(length))}`);
    }
  });
});
