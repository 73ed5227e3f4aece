// Accounts registered without a password (the core a legacy registration or a first social sign-in
// uses): password login refuses them exactly like a wrong password, and a code mailed at
// registration lets the owner choose one, which also verifies the address.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Bindings } from "../src/bindings";
import { getServiceContext } from "../src/context";
import { registerWithoutPassword } from "../src/services/passwordless-registration";
import { PASSWORD, sessionRowCount, signUp, uniqueEmail } from "./support/accounts";
import { call, callAndSettle, readJson } from "./support/http";
import { codeRowsOf, latestCode, mailTo, userState } from "./support/mail";

const CHOSEN = "the password I chose myself";

async function register(email: string, profile = {}) {
  return registerWithoutPassword(await getServiceContext(env as Bindings), { email, profile });
}

describe("an account registered without a password", () => {
  it("exists unverified with no password, and its owner is mailed a set_password code and link", async () => {
    const email = uniqueEmail("nopass");
    const result = await register(email, { name: "No Pass" });
    if (!result.ok || !result.value.userId) throw new Error("registration failed");
    const state = await userState(result.value.userId);
    expect(state).toMatchObject({ email, email_verified: 0, password_hash: null });
    const [row] = await codeRowsOf(result.value.userId, "set_password");
    expect(row?.id).toBe(result.value.requestId);
    const [mail] = await mailTo(email, "set_password");
    expect(mail?.code).toMatch(/^\d{6}$/);
    expect(mail?.link).toContain("token=");
  });

  it("answers a password login exactly like a wrong password, and opens nothing", async () => {
    const email = uniqueEmail("nopass");
    const registered = await register(email);
    const unknown = await call("POST", "/v1/login", { json: { email: uniqueEmail("nobody"), password: PASSWORD } });
    const refused = await call("POST", "/v1/login", { json: { email, password: PASSWORD } });
    expect(refused.status).toBe(401);
    expect(await refused.text()).toBe(await unknown.text());
    expect(await sessionRowCount(registered.ok ? (registered.value.userId ?? "") : "")).toBe(0);
  });

  it("sets the password through the mailed code at POST /v1/password/reset, which verifies the address", async () => {
    const email = uniqueEmail("nopass");
    const result = await register(email);
    if (!result.ok || !result.value.userId) throw new Error("registration failed");
    const { code } = await latestCode(email, "set_password");
    const set = await callAndSettle("POST", "/v1/password/reset", {
      json: { otp_request_id: result.value.requestId, code, new_password: CHOSEN },
    });
    expect(set.status).toBe(204);
    expect((await userState(result.value.userId))?.email_verified).toBe(1);
    const login = await call("POST", "/v1/login", { json: { email, password: CHOSEN } });
    expect(login.status).toBe(200);
    expect(await readJson(login)).toHaveProperty("access_token");
  });

  it("refuses a weak password with weak_password and keeps the code usable", async () => {
    const email = uniqueEmail("nopass");
    const result = await register(email);
    if (!result.ok) throw new Error("registration failed");
    const { code } = await latestCode(email, "set_password");
    const weak = await call("POST", "/v1/password/reset", {
      json: { otp_request_id: result.value.requestId, code, new_password: "short" },
    });
    expect(weak.status).toBe(400);
    expect(await readJson(weak)).toMatchObject({ code: "weak_password" });
    const set = await callAndSettle("POST", "/v1/password/reset", {
      json: { otp_request_id: result.value.requestId, code, new_password: CHOSEN },
    });
    expect(set.status).toBe(204);
  });

  it("answers a registered address like a new one, changes nothing there and notifies its owner", async () => {
    const owner = await signUp();
    const before = await userState(owner.userId);
    const result = await register(owner.email);
    expect(result).toMatchObject({ ok: true, value: { userId: null } });
    expect(await userState(owner.userId)).toEqual(before);
    expect((await mailTo(owner.email))[0]?.kind).toBe("account_exists");
  });

  it("refuses an invalid address naming the field, and stores nothing", async () => {
    const result = await register("not an address");
    expect(result).toMatchObject({ ok: false, error: { code: "invalid_request", issues: [{ field: "email" }] } });
  });
});
