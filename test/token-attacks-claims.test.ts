// Token attacks on the claims and typ of a token we signed: time claims, issuer, audience, required claims.
import { SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import {
  CURRENT_KEY,
  expectRefusedByVerify,
  expectRefusedEverywhere,
  nowSeconds,
  ourHeaderText,
  privateKeyOf,
  rejectionOf,
  signRawText,
  signWith,
  useForgeryTarget,
} from "./support/token-forgery";

const target = useForgeryTarget();

describe("time claims", () => {
  it("refuses an expired token with token_expired", async () => {
    const now = nowSeconds();
    const token = await signWith(CURRENT_KEY, target.claims({ iat: now - 1000, exp: now - 60 }));
    await expectRefusedEverywhere(token);
    expect(await rejectionOf(token)).toBe("token_expired");
  });

  it("refuses a token that is not yet valid (nbf in the future)", async () => {
    await expectRefusedEverywhere(await signWith(CURRENT_KEY, target.claims({ nbf: nowSeconds() + 3600 })));
  });

  it("honours nbf without tolerance: 5 s ahead is refused, 5 s ago is accepted", async () => {
    const early = await signWith(CURRENT_KEY, target.claims({ nbf: nowSeconds() + 5 }));
    await expectRefusedEverywhere(early);
    expect(await rejectionOf(early)).toBe("token_invalid");
    await target.expectAccepted(await signWith(CURRENT_KEY, target.claims({ nbf: nowSeconds() - 5 })));
  });

  it("refuses a token issued more than 60 s in the future, with token_invalid", async () => {
    for (const ahead of [120, 3600, 10 * 365 * 86400]) {
      const now = nowSeconds();
      const token = await signWith(CURRENT_KEY, target.claims({ iat: now + ahead, exp: now + ahead + 600 }));
      await expectRefusedEverywhere(token);
      expect(await rejectionOf(token)).toBe("token_invalid");
    }
  });

  it("accepts a token issued up to 60 s ahead, the clock skew allowed between locations", async () => {
    await target.expectAccepted(await signWith(CURRENT_KEY, target.claims({ iat: nowSeconds() + 30 })));
  });

  it("refuses a token with claims of the wrong type (exp as a string, amr as a string)", async () => {
    await expectRefusedEverywhere(await signWith(CURRENT_KEY, target.claims({ exp: String(nowSeconds() + 600) })));
    await expectRefusedEverywhere(await signWith(CURRENT_KEY, target.claims({ amr: "pwd" })));
  });

  it("refuses exp and iat of every non-numeric JSON type", async () => {
    const later = nowSeconds() + 600;
    const variants = [
      { exp: null },
      { exp: true },
      { exp: [later] },
      { exp: { $gt: 0 } },
      { exp: `${later}` },
      { iat: `${nowSeconds()}` },
      { iat: null },
      { nbf: "yesterday" },
    ];
    for (const variant of variants) {
      await expectRefusedEverywhere(await signWith(CURRENT_KEY, target.claims(variant)));
    }
  });

  it("refuses an exp of 1e400, which JSON.parse reads as Infinity (a token that would never expire)", async () => {
    const payload = JSON.stringify(target.claims({ exp: 0 })).replace('"exp":0', '"exp":1e400');
    expect(JSON.parse(payload).exp).toBe(Number.POSITIVE_INFINITY);
    await expectRefusedEverywhere(await signRawText(ourHeaderText(), payload));
    // The same hand-signed route with a finite exp is accepted, so the refusal is the exp alone.
    await target.expectAccepted(await signRawText(ourHeaderText(), JSON.stringify(target.claims())));
  });
});

describe("issuer and audience", () => {
  it("refuses a token from another issuer", async () => {
    await expectRefusedEverywhere(await signWith(CURRENT_KEY, target.claims({ iss: "https://evil.test" })));
  });

  it("refuses a token whose issuer differs only by a trailing slash", async () => {
    await expectRefusedEverywhere(await signWith(CURRENT_KEY, target.claims({ iss: "https://auth.test/" })));
  });

  it("refuses a token for another audience, alone or in a list", async () => {
    await expectRefusedEverywhere(await signWith(CURRENT_KEY, target.claims({ aud: "another-api" })));
    await expectRefusedEverywhere(await signWith(CURRENT_KEY, target.claims({ aud: ["another-api"] })));
  });
});

describe("missing claims", () => {
  it.each(["exp", "iat", "sub", "sid", "jti", "email", "email_verified", "iss", "aud"])(
    "refuses a token without %s",
    async (claim) => {
      await expectRefusedEverywhere(await signWith(CURRENT_KEY, target.claimsWithout(claim)));
    },
  );

  it("refuses a person's token without an address; only a client_credentials token (client_id) may name none", async () => {
    const { email: _, email_verified: __, ...personless } = target.claims();
    await expectRefusedEverywhere(await signWith(CURRENT_KEY, personless));
    // With client_id, half an address or a mistyped one is refused all the same.
    const machine = { ...personless, client_id: crypto.randomUUID() };
    await expectRefusedByVerify(await signWith(CURRENT_KEY, { ...machine, email: target.account.email }));
    await expectRefusedByVerify(await signWith(CURRENT_KEY, { ...machine, email_verified: true }));
    await expectRefusedByVerify(await signWith(CURRENT_KEY, { ...machine, email: 1, email_verified: "true" }));
    expect(await rejectionOf(await signWith(CURRENT_KEY, machine))).toBeNull();
  });
});

describe("typ confusion (RFC 9068 §4: at+jwt or application/at+jwt; media types are case-insensitive)", () => {
  it.each(["JWT", "jwt", "at+jwt+evil", "id_token"])('refuses a token with typ "%s"', async (typ) => {
    await expectRefusedEverywhere(await signWith(CURRENT_KEY, target.claims(), { typ }));
  });

  it("refuses a token without typ", async () => {
    const token = await new SignJWT(target.claims())
      .setProtectedHeader({ alg: "ES256", kid: CURRENT_KEY.kid })
      .sign(await privateKeyOf(CURRENT_KEY));
    await expectRefusedEverywhere(token);
  });

  it.each(["AT+JWT", "at+JWT", "application/at+jwt", "Application/AT+JWT"])('accepts typ "%s"', async (typ) => {
    await target.expectAccepted(await signWith(CURRENT_KEY, target.claims(), { typ }));
  });

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
      const token = await signWith(CURRENT_KEY, target.claims(), { typ });
      await expectRefusedEverywhere(token);
      expect(await rejectionOf(token), JSON.stringify(typ)).toBe("token_invalid");
    }
  });
});
