// The signed-in user's sessions (/v1/sessions): listing them with their devices, revoking one, and
// revoking all, checked against D1 and against what the old tokens are answered.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { introspect, liveSessionCount, logInFrom, me, refresh, sessionOf, signUp } from "./support/accounts";
import { call, expectRefusedAsBearer, readJson } from "./support/http";

async function sessionRow(sessionId: string) {
  return env.DB.prepare("select * from sessions where id = ?").bind(sessionId).first<Record<string, unknown>>();
}

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
    expect(sessions.map((session) => session.id).sort()).toEqual(expectedIds.sort());
    const laptopSid = sessionOf(laptop.access_token);
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
    const phoneSid = sessionOf(phone.access_token);

    const response = await call("DELETE", `/v1/sessions/${phoneSid}`, { token: account.tokens.access_token });
    expect(response.status).toBe(204);
    expect(await sessionRow(phoneSid)).toMatchObject({ revoke_reason: "revoked_by_user" });

    await expectRefusedAsBearer(await me(phone.access_token));
    expect(await introspect(phone.access_token)).toEqual({ active: false });
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
    const victimSid = sessionOf(victim.tokens.access_token);

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

    expect(await liveSessionCount(account.userId)).toBe(0);
    for (const tokens of [account.tokens, phone]) {
      await expectRefusedAsBearer(await me(tokens.access_token));
      expect(await introspect(tokens.access_token)).toEqual({ active: false });
      expect((await refresh(tokens.refresh_token)).status).toBe(401);
    }
    expect((await me(bystander.tokens.access_token)).status).toBe(200);
  });
});
