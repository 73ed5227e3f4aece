// Probes of the SPA's code exchange at POST /v1/oauth/token (grant_type=authorization_code) as a
// picky OAuth client would send it: bodies, duplicate and unknown fields (RFC 6749 §3.2), empty
// values, verifier bounds and characters (RFC 7636 §4.1), another flow's verifier, a disabled
// account, and RFC 6749 §5.2 error bodies.
import { exports } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type FakeIdp, installFakeIdp } from "./support/fake-idp";
import { call, readJson } from "./support/http";
import { countWhere, exchangeCode, oidcPerson, SPA_REDIRECT, signInCode, userByEmail } from "./support/oauth";
import { codeWithVerifier, expectOAuthError, postToken, verifierOf } from "./support/oauth-probes";

let fake: FakeIdp;
beforeEach(() => {
  fake = installFakeIdp();
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe("POST /v1/oauth/token grant_type=authorization_code", () => {
  it("takes a JSON body as well as a form", async () => {
    const verifier = verifierOf(64);
    const { code } = await codeWithVerifier(fake, verifier);
    const response = await postToken({ grant_type: "authorization_code", code, code_verifier: verifier }, "json");
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    expect(await readJson(response)).toHaveProperty("access_token");
  });

  it("refuses duplicate fields with invalid_request, leaving the code redeemable", async () => {
    const verifier = verifierOf(43);
    const { code } = await codeWithVerifier(fake, verifier);
    const body = `grant_type=authorization_code&code=${code}&code=${code}&code_verifier=${verifier}`;
    const duplicate = await call("POST", "/v1/oauth/token", { body, contentType: "application/x-www-form-urlencoded" });
    await expectOAuthError(duplicate, "invalid_request");
    const grant = `grant_type=authorization_code&grant_type=authorization_code&code=${code}&code_verifier=${verifier}`;
    await expectOAuthError(
      await call("POST", "/v1/oauth/token", { body: grant, contentType: "application/x-www-form-urlencoded" }),
      "invalid_request",
    );
    expect((await exchangeCode(code, verifier)).status).toBe(200);
  });

  it("takes verifiers of 43 and 128 characters; refuses 42 and 129 with invalid_request without spending the code", async () => {
    for (const length of [43, 128]) {
      const verifier = verifierOf(length);
      const { code } = await codeWithVerifier(fake, verifier);
      expect((await exchangeCode(code, verifier)).status, `length ${length}`).toBe(200);
    }
    for (const length of [42, 129]) {
      const verifier = verifierOf(length);
      const { code } = await codeWithVerifier(fake, verifier);
      await expectOAuthError(await exchangeCode(code, verifier), "invalid_request");
      // The right verifier is still one of 43..128; the malformed request spent nothing.
      const right = verifierOf(43);
      const other = await codeWithVerifier(fake, right);
      expect((await exchangeCode(other.code, right)).status).toBe(200);
    }
  });

  it("answers a verifier with characters outside RFC 7636's set consistently: invalid_request and unspent, or invalid_grant and spent", async () => {
    for (const bad of [
      `${verifierOf(42)}+`,
      `${verifierOf(42)}/`,
      `${verifierOf(42)}=`,
      `${verifierOf(42)} `,
      "é".repeat(43),
      `${verifierOf(42)}%`,
    ]) {
      const verifier = verifierOf(50);
      const { code } = await codeWithVerifier(fake, verifier);
      const response = await exchangeCode(code, bad);
      const { error } = await readJson<{ error: string }>(response.clone());
      await expectOAuthError(response, error);
      const after = await exchangeCode(code, verifier);
      const spent = after.status !== 200;
      expect({ bad, error, spent }).toEqual({ bad, error, spent: error === "invalid_grant" });
    }
  });

  it("refuses a code redeemed with another flow's verifier (spending it); the other flow's code still works", async () => {
    const a = await signInCode(fake, "google", oidcPerson());
    const b = await signInCode(fake, "google", oidcPerson());
    await expectOAuthError(await exchangeCode(a.code ?? "", b.verifier), "invalid_grant");
    await expectOAuthError(await exchangeCode(a.code ?? "", a.verifier), "invalid_grant");
    expect((await exchangeCode(b.code ?? "", b.verifier)).status).toBe(200);
  });

  it("refuses a code whose account was disabled between the callback and the exchange, opening no session", async () => {
    const verifier = verifierOf(43);
    const { code, person } = await codeWithVerifier(fake, verifier);
    const user = await userByEmail(person.email);
    expect(user).not.toBeNull();
    const disabled = await exports.AuthService.disableUser(user?.id ?? "");
    expect(disabled).toMatchObject({ disabled: true });
    await expectOAuthError(await exchangeCode(code, verifier), "invalid_grant");
    expect(await countWhere("select count(*) as n from sessions where user_id = ?", user?.id)).toBe(0);
    await exports.AuthService.enableUser(user?.id ?? "");
    // Spent by the refusal: enabling the account again does not revive it.
    await expectOAuthError(await exchangeCode(code, verifier), "invalid_grant");
  });

  it("answers every refusal as an RFC 6749 §5.2 body with no-store", async () => {
    const verifier = verifierOf(43);
    await expectOAuthError(
      await postToken({ grant_type: "authorization_code", code: "x".repeat(43), code_verifier: verifier }),
      "invalid_grant",
    );
    await expectOAuthError(
      await postToken({ grant_type: "authorization_code", code_verifier: verifier }),
      "invalid_request",
    );
    await expectOAuthError(await postToken({ grant_type: "authorization_code", code: "x" }), "invalid_request");
    await expectOAuthError(
      await postToken({ grant_type: "authorization_code", code: "x".repeat(129), code_verifier: verifier }),
      "invalid_request",
    );
    await expectOAuthError(
      await call("POST", "/v1/oauth/token", { body: "{", contentType: "application/json" }),
      "invalid_request",
    );
    await expectOAuthError(
      await call("POST", "/v1/oauth/token", { body: "grant_type=authorization_code", contentType: "text/plain" }),
      "invalid_request",
    );
    await expectOAuthError(
      await call("POST", "/v1/oauth/token", {
        json: { grant_type: "authorization_code", code: 1, code_verifier: verifier },
      }),
      "invalid_request",
    );
    await expectOAuthError(
      await postToken({ grant_type: "Authorization_Code", code: "x", code_verifier: verifier }),
      "unsupported_grant_type",
    );
  });

  it("ignores unrecognized parameters, such as the client_id a standard OAuth client sends (RFC 6749 §3.2)", async () => {
    const verifier = verifierOf(43);
    const { code } = await codeWithVerifier(fake, verifier);
    const response = await postToken({
      grant_type: "authorization_code",
      code,
      code_verifier: verifier,
      redirect_uri: SPA_REDIRECT,
      client_id: "my-spa",
    });
    expect({ status: response.status, body: await readJson(response) }).toMatchObject({ status: 200 });
  });

  it("treats a parameter sent without a value as omitted (RFC 6749 §3.2): an empty redirect_uri neither refuses nor spends", async () => {
    const verifier = verifierOf(43);
    const { code } = await codeWithVerifier(fake, verifier);
    const response = await postToken({
      grant_type: "authorization_code",
      code,
      code_verifier: verifier,
      redirect_uri: "",
    });
    const body = await readJson(response);
    const spent = (await exchangeCode(code, verifier)).status !== 200;
    expect({ status: response.status, body, spent }).toMatchObject({ status: 200 });
  });
});
