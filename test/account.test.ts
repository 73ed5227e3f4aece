// The signed-in user's own account (/v1/me): reading, changing and deleting it, checked against D1.
// Listing and revoking its sessions (/v1/sessions) is in test/account-sessions.test.ts.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { countRows, introspect, logInFrom, me, PASSWORD, refresh, sessionOf, signUp } from "./support/accounts";
import { call, expectRefusedAsBearer, readJson } from "./support/http";

const patchMe = (token: string, json: unknown) => call("PATCH", "/v1/me", { token, json });

async function userRow(userId: string) {
  return env.DB.prepare("select * from users where id = ?").bind(userId).first<Record<string, unknown>>();
}

describe("GET /v1/me", () => {
  it("answers the caller's public profile and never the password hash", async () => {
    const account = await signUp({ name: "Grace Hopper", username: "grace_h", phone: "+1 555 0100" });
    const response = await me(account.tokens.access_token);
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const text = await response.text();
    expect(text).not.toMatch(/password|\$scrypt\$|disabled/);
    const body = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(
      [
        "address",
        "created_at",
        "email",
        "email_verified",
        "first_name",
        "id",
        "identities",
        "last_name",
        "name",
        "phone",
        "phone_verified",
        "updated_at",
        "username",
      ].sort(),
    );
    expect(body).toMatchObject({
      id: account.userId,
      email: account.email,
      email_verified: false,
      name: "Grace Hopper",
      username: "grace_h",
      phone: "+1 555 0100",
      phone_verified: false,
      address: null,
    });
  });

  it("refuses a request without a bearer token with 401 invalid_token", async () => {
    await expectRefusedAsBearer(await call("GET", "/v1/me"));
  });
});

describe("PATCH /v1/me", () => {
  it("changes every profile field and nothing else", async () => {
    const account = await signUp();
    const before = await userRow(account.userId);
    const changes = {
      name: "Ada Lovelace",
      username: "Ada_Patched",
      first_name: "Ada",
      last_name: "Lovelace",
      phone: "+44 20 7946 0000",
      address: "12 St James's Square, London",
    };
    const response = await patchMe(account.tokens.access_token, changes);
    expect(response.status).toBe(200);
    expect(await readJson(response)).toMatchObject({ ...changes, username: "ada_patched", email: account.email });

    const after = await userRow(account.userId);
    expect(after).toMatchObject({
      name: "Ada Lovelace",
      username: "ada_patched",
      first_name: "Ada",
      last_name: "Lovelace",
      phone: "+44 20 7946 0000",
      address: "12 St James's Square, London",
    });
    for (const column of ["id", "email", "email_verified", "password_hash", "disabled_at", "created_at"]) {
      expect(after?.[column], column).toEqual(before?.[column]);
    }
  });

  it("changes only the fields sent and clears a field sent as null", async () => {
    const account = await signUp({ name: "Keep Me", username: "clear_me", phone: "+1 555 0101", address: "Here" });
    const response = await patchMe(account.tokens.access_token, { username: null, phone: null, address: null });
    expect(response.status).toBe(200);
    expect(await userRow(account.userId)).toMatchObject({
      name: "Keep Me",
      username: null,
      phone: null,
      address: null,
    });
    // The freed username can be taken by someone else now.
    await signUp({ username: "clear_me" });
  });

  it("keeps the caller's own username when it is sent again", async () => {
    const account = await signUp({ username: "same_again" });
    const response = await patchMe(account.tokens.access_token, { username: "Same_Again", name: "New" });
    expect(response.status).toBe(200);
    expect(await userRow(account.userId)).toMatchObject({ username: "same_again", name: "New" });
  });

  it("refuses fields that are not profile fields and stores none of them", async () => {
    const account = await signUp();
    const before = await userRow(account.userId);
    const response = await patchMe(account.tokens.access_token, {
      name: "Mallory",
      email_verified: true,
      email: "mallory@example.com",
      password_hash: "$scrypt$ln=1,r=1,p=1$AAAA$AAAA",
    });
    expect(response.status).toBe(400);
    const body = await readJson<{ code: string; errors: { field: string }[] }>(response);
    expect(body.code).toBe("invalid_request");
    expect(body.errors.map((issue) => issue.field).sort()).toEqual(["email", "email_verified", "password_hash"]);
    expect(await userRow(account.userId)).toEqual(before);
  });

  it("refuses a username another account holds, in any case, with 409 username_taken", async () => {
    await signUp({ username: "holder_name" });
    const account = await signUp({ username: "mine_name" });
    const before = await userRow(account.userId);
    const response = await patchMe(account.tokens.access_token, { username: "Holder_Name", name: "Changed" });
    expect(response.status).toBe(409);
    expect(await readJson(response)).toMatchObject({ code: "username_taken", status: 409 });
    expect(await userRow(account.userId)).toEqual(before);
  });

  it("refuses a username with characters outside the allowed set naming the field", async () => {
    const account = await signUp();
    const response = await patchMe(account.tokens.access_token, { username: "no spaces!" });
    expect(response.status).toBe(400);
    expect(await readJson(response)).toMatchObject({ code: "invalid_request", errors: [{ field: "username" }] });
  });
});

describe("DELETE /v1/me", () => {
  it("refuses a wrong password with 401 invalid_credentials and deletes nothing", async () => {
    const account = await signUp();
    const counts = [await countRows("users"), await countRows("sessions"), await countRows("refresh_tokens")];
    const response = await call("DELETE", "/v1/me", {
      token: account.tokens.access_token,
      json: { password: `${PASSWORD}-wrong` },
    });
    expect(response.status).toBe(401);
    expect(await readJson(response)).toMatchObject({ code: "invalid_credentials" });
    expect([await countRows("users"), await countRows("sessions"), await countRows("refresh_tokens")]).toEqual(counts);
    expect((await me(account.tokens.access_token)).status).toBe(200);
  });

  it("removes the user, every session and every refresh token, and refuses the old tokens", async () => {
    const account = await signUp();
    const other = await logInFrom(account.email, "second device", "203.0.113.9");
    const sessionIds = [sessionOf(account.tokens.access_token), sessionOf(other.access_token)];

    const response = await call("DELETE", "/v1/me", {
      token: account.tokens.access_token,
      json: { password: PASSWORD },
    });
    expect(response.status).toBe(204);

    expect(await userRow(account.userId)).toBeNull();
    const leftover = await env.DB.prepare(
      "select (select count(*) from sessions where user_id = ?1) as sessions, " +
        "(select count(*) from refresh_tokens where session_id in (?2, ?3)) as tokens",
    )
      .bind(account.userId, ...sessionIds)
      .first<{ sessions: number; tokens: number }>();
    expect(leftover).toEqual({ sessions: 0, tokens: 0 });

    for (const tokens of [account.tokens, other]) {
      expect(await introspect(tokens.access_token)).toEqual({ active: false });
      await expectRefusedAsBearer(await me(tokens.access_token));
      const refused = await refresh(tokens.refresh_token);
      expect(refused.status).toBe(401);
      expect(await readJson(refused)).toMatchObject({ code: "invalid_refresh_token" });
    }
    const login = await call("POST", "/v1/login", { json: { email: account.email, password: PASSWORD } });
    expect(login.status).toBe(401);
  });
});
