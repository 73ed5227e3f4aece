// The signed-in user's own account (/v1/me) and sessions (/v1/sessions), checked against D1.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { countRows, PASSWORD, sessionOf, signUp, type TokenPair } from "./support/accounts";
import { call, readJson } from "./support/http";

const me = (token: string) => call("GET", "/v1/me", { token });
const patchMe = (token: string, json: unknown) => call("PATCH", "/v1/me", { token, json });
const refresh = (refresh_token: string) => call("POST", "/v1/token/refresh", { json: { refresh_token } });
const verify = async (token: string) => readJson(await call("POST", "/v1/token/verify", { json: { token } }));

async function userRow(userId: string) {
  return env.DB.prepare("select * from users where id = ?").bind(userId).first<Record<string, unknown>>();
}

async function sessionRow(sessionId: string) {
  return env.DB.prepare("select * from sessions where id = ?").bind(sessionId).first<Record<string, unknown>>();
}

/** A second session for the same account, from another device. */
async function logInFrom(email: string, userAgent: string, ip: string): Promise<TokenPair> {
  const response = await call("POST", "/v1/login", {
    json: { email, password: PASSWORD },
    headers: { "User-Agent": userAgent },
    ip,
  });
  expect(response.status).toBe(200);
  return readJson<TokenPair>(response);
}

async function expectInvalidToken(response: Response): Promise<void> {
  expect(response.status).toBe(401);
  expect(response.headers.get("WWW-Authenticate")).toContain('error="invalid_token"');
  expect(await readJson(response)).toMatchObject({ code: "invalid_token" });
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
    await expectInvalidToken(await call("GET", "/v1/me"));
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
    const sessionIds = [await sessionOf(account.tokens.access_token), await sessionOf(other.access_token)];

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
      expect(await verify(tokens.access_token)).toEqual({ active: false });
      await expectInvalidToken(await me(tokens.access_token));
      const refused = await refresh(tokens.refresh_token);
      expect(refused.status).toBe(401);
      expect(await readJson(refused)).toMatchObject({ code: "invalid_refresh_token" });
    }
    const login = await call("POST", "/v1/login", { json: { email: account.email, password: PASSWORD } });
    expect(login.status).toBe(401);
  });
});

describe("GET /v1/sessions", () => {
  it("lists each live session with its sid, times, user agent, IP, and current only on the caller's", async () => {
    const account = await signUp();
    const laptop = await logInFrom(account.email, "Laptop Browser/1.0", "203.0.113.10");
    const phone = await logInFrom(account.email, "Phone App/2.0", "203.0.113.11");
    const revoked = await logInFrom(account.email, "Old Tablet/0.1", "203.0.113.12");
    expect((await call("POST", "/v1/logout", { token: revoked.access_token })).status).toBe(204);

    const response = await call("GET", "/v1/sessions", { token: laptop.access_token });
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const { sessions } = await readJson<{ sessions: Record<string, unknown>[] }>(response);

    const expectedIds = [account.tokens, laptop, phone].map((tokens) => sessionOf(tokens.access_token));
    expect(sessions.map((session) => session.id).sort()).toEqual((await Promise.all(expectedIds)).sort());
    const laptopSid = await sessionOf(laptop.access_token);
    for (const session of sessions) {
      expect(Object.keys(session).sort()).toEqual(["created_at", "current", "id", "ip", "last_used_at", "user_agent"]);
      expect(session.current).toBe(session.id === laptopSid);
      expect(new Date(String(session.created_at)).toISOString()).toBe(session.created_at);
      expect(new Date(String(session.last_used_at)).toISOString()).toBe(session.last_used_at);
    }
    expect(sessions.find((session) => session.id === laptopSid)).toMatchObject({
      user_agent: "Laptop Browser/1.0",
      ip: "203.0.113.10",
    });
    expect(sessions.find((session) => session.user_agent === "Phone App/2.0")).toMatchObject({
      ip: "203.0.113.11",
      current: false,
    });
  });
});

describe("DELETE /v1/sessions/{id}", () => {
  it("revokes that one session: its refresh token fails and its access token is refused at once", async () => {
    const account = await signUp();
    const phone = await logInFrom(account.email, "Phone App/2.0", "203.0.113.20");
    const phoneSid = await sessionOf(phone.access_token);

    const response = await call("DELETE", `/v1/sessions/${phoneSid}`, { token: account.tokens.access_token });
    expect(response.status).toBe(204);
    expect(await sessionRow(phoneSid)).toMatchObject({ revoke_reason: "revoked_by_user" });

    await expectInvalidToken(await me(phone.access_token));
    expect(await verify(phone.access_token)).toEqual({ active: false });
    const refused = await refresh(phone.refresh_token);
    expect(refused.status).toBe(401);
    expect(await readJson(refused)).toMatchObject({ code: "invalid_refresh_token" });

    // The caller's own session is untouched.
    expect((await me(account.tokens.access_token)).status).toBe(200);
    expect((await refresh(account.tokens.refresh_token)).status).toBe(200);
  });

  it("answers 404 session_not_found for someone else's session and revokes nothing", async () => {
    const mallory = await signUp();
    const victim = await signUp();
    const victimSid = await sessionOf(victim.tokens.access_token);

    const response = await call("DELETE", `/v1/sessions/${victimSid}`, { token: mallory.tokens.access_token });
    expect(response.status).toBe(404);
    expect(await readJson(response)).toMatchObject({ code: "session_not_found" });
    expect(await sessionRow(victimSid)).toMatchObject({ revoked_at: null });
    expect(await env.KV.get(`revoked:sid:${victimSid}`)).toBeNull();
    expect((await me(victim.tokens.access_token)).status).toBe(200);
    expect((await refresh(victim.tokens.refresh_token)).status).toBe(200);
  });

  it("answers 404 session_not_found for an unknown or malformed id", async () => {
    const account = await signUp();
    for (const id of [crypto.randomUUID(), "not-a-session", "%27%20or%201%3D1"]) {
      const response = await call("DELETE", `/v1/sessions/${id}`, { token: account.tokens.access_token });
      expect(response.status, id).toBe(404);
      expect(await readJson(response)).toMatchObject({ code: "session_not_found" });
    }
  });
});

describe("DELETE /v1/sessions", () => {
  it("revokes every session of the caller and leaves other users alone", async () => {
    const account = await signUp();
    const phone = await logInFrom(account.email, "Phone App/2.0", "203.0.113.30");
    const bystander = await signUp();

    const response = await call("DELETE", "/v1/sessions", { token: phone.access_token });
    expect(response.status).toBe(204);

    const live = await env.DB.prepare("select count(*) as n from sessions where user_id = ? and revoked_at is null")
      .bind(account.userId)
      .first<{ n: number }>();
    expect(live?.n).toBe(0);
    for (const tokens of [account.tokens, phone]) {
      await expectInvalidToken(await me(tokens.access_token));
      expect(await verify(tokens.access_token)).toEqual({ active: false });
      expect((await refresh(tokens.refresh_token)).status).toBe(401);
    }
    expect((await me(bystander.tokens.access_token)).status).toBe(200);
  });
});
