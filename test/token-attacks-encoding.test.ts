// Token attacks on the encoding: non-JWT strings, JWE and JSON serializations, duplicate names, huge tokens.
import { CompactEncrypt, FlattenedSign, GeneralSign, importJWK } from "jose";
import { describe, expect, it } from "vitest";
import { signUp } from "./support/accounts";
import { call, expectProblem, expectRefusedAsBearer } from "./support/http";
import {
  CURRENT_KEY,
  callVerify,
  expectRefusedByMe,
  expectRefusedByVerify,
  expectRefusedEverywhere,
  expectTokenFieldRefused,
  ourHeaderText,
  privateKeyOf,
  publicJwkOf,
  rejectionOf,
  signRawText,
  signWith,
  useForgeryTarget,
} from "./support/token-forgery";

const target = useForgeryTarget();
const encoder = new TextEncoder();

describe("strings that are not JWTs", () => {
  it("refuses arbitrary strings that are not JWTs", async () => {
    for (const token of ["x", "a.b.c", "....", "eyJ.eyJ.sig"]) {
      await expectRefusedEverywhere(token);
    }
  });
});

describe("other serializations", () => {
  it("refuses a JWE (five parts) encrypted to our published public key with ECDH-ES", async () => {
    const publicKey = await importJWK({ ...publicJwkOf(CURRENT_KEY), alg: "ECDH-ES" }, "ECDH-ES");
    const token = await new CompactEncrypt(encoder.encode(JSON.stringify(target.claims())))
      .setProtectedHeader({ alg: "ECDH-ES", enc: "A256GCM", kid: CURRENT_KEY.kid, typ: "at+jwt" })
      .encrypt(publicKey);
    expect(token.split(".")).toHaveLength(5);
    await expectRefusedEverywhere(token);
    expect(await rejectionOf(token)).toBe("token_malformed");
  });

  it("refuses a dir-encrypted JWE and a five-part string made of a valid JWS", async () => {
    const secret = crypto.getRandomValues(new Uint8Array(32));
    const jwe = await new CompactEncrypt(encoder.encode(JSON.stringify(target.claims())))
      .setProtectedHeader({ alg: "dir", enc: "A256GCM", typ: "at+jwt" })
      .encrypt(secret);
    await expectRefusedEverywhere(jwe);
    const [header, payload, signature] = (await signWith(CURRENT_KEY, target.claims())).split(".");
    await expectRefusedEverywhere(`${header}..${payload}..${signature}`);
  });

  it("refuses JWS JSON serializations (flattened and general) signed with our key, as a string", async () => {
    const payload = encoder.encode(JSON.stringify(target.claims()));
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
    const flattened = await new FlattenedSign(encoder.encode(JSON.stringify(target.claims())))
      .setProtectedHeader({ alg: "ES256", kid: CURRENT_KEY.kid, typ: "at+jwt" })
      .sign(await privateKeyOf(CURRENT_KEY));
    await expectTokenFieldRefused(await callVerify(flattened));
  });
});

describe("duplicate JSON member names (refused: RFC 7519 §4 allows refusing or last-wins)", () => {
  const claimsText = (extra: string) => {
    const text = JSON.stringify(target.claims());
    return `${text.slice(0, -1)},${extra}}`;
  };

  it("accepts the hand-assembled baseline the duplicates below are built from", async () => {
    await target.expectAccepted(await signRawText(ourHeaderText(), claimsText('"extra":1')));
  });

  it("refuses two sub claims, whichever comes last, with token_malformed", async () => {
    const other = await signUp();
    const otherFirst = await signRawText(ourHeaderText(), `{"sub":"${other.userId}",${claimsText('"x":1').slice(1)}`);
    const otherLast = await signRawText(ourHeaderText(), claimsText(`"sub":"${other.userId}"`));
    for (const token of [otherFirst, otherLast]) {
      await expectRefusedEverywhere(token);
      expect(await rejectionOf(token)).toBe("token_malformed");
    }
  });

  it("refuses a repeated claim even with the same value, and one repeated through an escape (s\\u0075b)", async () => {
    const { userId } = target.account;
    await expectRefusedEverywhere(await signRawText(ourHeaderText(), claimsText(`"sub":"${userId}"`)));
    await expectRefusedEverywhere(await signRawText(ourHeaderText(), claimsText(`"s\\u0075b":"${userId}"`)));
  });

  it("refuses a repeated header parameter (two typ, two kid, two alg)", async () => {
    const payload = JSON.stringify(target.claims());
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
    const token = await signRawText(ourHeaderText(), claimsText('"cnf":{"sub":"a","x":[{"sub":1},{"sub":2}]}'));
    await target.expectAccepted(token);
  });
});

describe("huge tokens", () => {
  const HUGE = `${"eyJ".repeat(10)}${"A".repeat(200 * 1024)}.${"B".repeat(100)}.${"C".repeat(86)}`;

  it("refuses a token over 8 KB, even one we signed: 401 as a bearer, 400 naming the field at verify", async () => {
    const token = await signWith(CURRENT_KEY, target.claims({ padding: "x".repeat(8 * 1024) }));
    expect(token.length).toBeGreaterThan(8192);
    await expectRefusedByMe(token);
    await expectTokenFieldRefused(await callVerify(token));
    expect(await rejectionOf(token)).toBe("token_malformed");
  });

  it("refuses a 200 KB token in a verify body with 413 payload_too_large, quickly and without a 500", async () => {
    const started = Date.now();
    const json = await callVerify(HUGE);
    const form = await call("POST", "/v1/token/verify", { form: { token: HUGE } });
    for (const response of [json, form]) {
      await expectProblem(response, 413, "payload_too_large");
    }
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("refuses a 200 KB bearer token with 401 and the service refuses it as token_malformed, quickly", async () => {
    const started = Date.now();
    await expectRefusedByMe(HUGE);
    expect(await rejectionOf(HUGE)).toBe("token_malformed");
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it("refuses a 200 KB token we signed ourselves, as a bearer and in a verify body", async () => {
    const token = await signWith(CURRENT_KEY, target.claims({ padding: "p".repeat(200 * 1024) }));
    await expectRefusedByMe(token);
    expect(await rejectionOf(token)).toBe("token_malformed");
    await expectProblem(await callVerify(token), 413, "payload_too_large");
  });
});
