// Token attacks on how a bearer token is presented: Authorization header schemes, query strings, bodies.
import { describe, expect, it } from "vitest";
import { liveSessionCount, signUp } from "./support/accounts";
import { call, expectRefusedAsBearer, readJson } from "./support/http";
import { expectTokenFieldRefused, useForgeryTarget } from "./support/token-forgery";

const target = useForgeryTarget();

describe("Authorization header schemes", () => {
  it("accepts the scheme in any case (RFC 9110 §11.1: auth schemes are case-insensitive)", async () => {
    const token = target.account.tokens.access_token;
    for (const scheme of ["bearer", "BEARER"]) {
      const response = await call("GET", "/v1/me", { headers: { Authorization: `${scheme} ${token}` } });
      expect(response.status).toBe(200);
      expect(await readJson(response)).toMatchObject({ id: target.account.userId });
    }
  });

  it("refuses Basic credentials and a bare token without a scheme", async () => {
    const { email, password, tokens } = target.account;
    const token = tokens.access_token;
    const basic = btoa(`${email}:${password}`);
    await expectRefusedAsBearer(await call("GET", "/v1/me", { headers: { Authorization: `Basic ${basic}` } }));
    await expectRefusedAsBearer(await call("GET", "/v1/me", { headers: { Authorization: `Basic ${token}` } }));
    await expectRefusedAsBearer(await call("GET", "/v1/me", { headers: { Authorization: token } }));
  });

  it("refuses a bearer header carrying two tokens, a token with a space inside, or no token", async () => {
    const token = target.account.tokens.access_token;
    for (const credentials of [`${token} ${token}`, `${token.slice(0, 20)} ${token.slice(20)}`, ""]) {
      await expectRefusedAsBearer(await call("GET", "/v1/me", { headers: { Authorization: `Bearer ${credentials}` } }));
    }
  });
});

describe("tokens outside the Authorization header", () => {
  it("never reads a token from the query string (RFC 6750 §2.3 is not supported)", async () => {
    const token = target.account.tokens.access_token;
    await expectRefusedAsBearer(await call("GET", `/v1/me?access_token=${encodeURIComponent(token)}`));
  });

  it("never reads a token from a form body field", async () => {
    const token = target.account.tokens.access_token;
    await expectRefusedAsBearer(await call("DELETE", "/v1/sessions", { form: { access_token: token } }));
  });

  it("does not read /v1/token/verify's token from the query string", async () => {
    const token = encodeURIComponent(target.account.tokens.access_token);
    await expectTokenFieldRefused(await call("POST", `/v1/token/verify?token=${token}`, { json: {} }));
  });

  it("uses the Authorization header and ignores a conflicting access_token in the query", async () => {
    const other = await signUp();
    const path = `/v1/me?access_token=${encodeURIComponent(other.tokens.access_token)}`;
    const response = await call("GET", path, { token: target.account.tokens.access_token });
    expect(response.status).toBe(200);
    expect(await readJson(response)).toMatchObject({ id: target.account.userId });
  });

  it("does not revoke anything for a token in the query of DELETE /v1/sessions or POST /v1/logout", async () => {
    const victim = await signUp();
    const query = `?access_token=${encodeURIComponent(victim.tokens.access_token)}`;
    await expectRefusedAsBearer(await call("DELETE", `/v1/sessions${query}`));
    await expectRefusedAsBearer(await call("POST", `/v1/logout${query}`));
    expect(await liveSessionCount(victim.userId)).toBe(1);
    expect((await call("GET", "/v1/me", { token: victim.tokens.access_token })).status).toBe(200);
  });
});
