// Dialect C, NAP: the SDK's own calls (AuthApi.md) answer the swagger's models exactly, member for
// member and type for type, and a NAP account is an account of the one core: /v1 logs it in, /v1/me
// and /v1/token/verify accept its session token, and its logout ends the session for /v1 too.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getServiceContext } from "../src/context";
import { claimsOf, introspect, logIn, me, PASSWORD, signUp, uniqueEmail } from "./support/accounts";
import { freezeClock } from "./support/clock";
import {
  DoneModel,
  expectModel,
  expectNapError,
  jwtOf,
  LoginResultModel,
  logOutWith,
  napCall,
  napCallAndSettle,
  napLogIn,
  napSession,
  napSignUp,
  napVerificationToken,
  RefreshResultModel,
  refreshWith,
  SignupResultModel,
  signUpBody,
  UnverifiedModel,
} from "./support/dialect-nap";
import { readJson } from "./support/http";
import { mailTo, userState } from "./support/mail";

const idleTimeout = async () => (await getServiceContext(env)).config.sessionIdleTimeoutSeconds;
const secondsOf = (rfc3339: string) => Date.parse(rfc3339) / 1000;

async function sessionRow(sessionId: string) {
  return env.DB.prepare("SELECT user_id, rotates_refresh_token, revoked_at, expires_at FROM sessions WHERE id = ?")
    .bind(sessionId)
    .first<{ user_id: string; rotates_refresh_token: number; revoked_at: number | null; expires_at: number }>();
}

describe("NAP: User Signup (POST /api/auth/signup)", () => {
  it("answers HandlersUserSignupResult {userId, message}: an unverified account, no session, no mail", async () => {
    const email = uniqueEmail("nap-signup");
    const response = await napCallAndSettle("POST", "/api/auth/signup", { json: signUpBody(email) });
    const body = await expectModel(response, 200, SignupResultModel);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    expect(await userState(body.userId)).toMatchObject({ email, email_verified: 0 });
    const row = await env.DB.prepare("SELECT first_name, last_name FROM users WHERE id = ?").bind(body.userId).first();
    expect(row).toEqual({ first_name: "Ada", last_name: "Lovelace" });
    const sessions = await env.DB.prepare("SELECT count(*) AS n FROM sessions WHERE user_id = ?")
      .bind(body.userId)
      .first<{ n: number }>();
    expect(sessions?.n).toBe(0);
    // The client asks for the mail next; sign-up itself sends none and stores no code.
    expect(await mailTo(email)).toEqual([]);
    const codes = await env.DB.prepare("SELECT count(*) AS n FROM one_time_codes WHERE user_id = ?")
      .bind(body.userId)
      .first<{ n: number }>();
    expect(codes?.n).toBe(0);
  });

  it("ignores unknown fields and stores none of them; an empty inviteToken is no invite", async () => {
    const email = uniqueEmail("nap-extras");
    const json = { ...signUpBody(email), inviteToken: "", username: "sneaky", emailVerified: true, role: "admin" };
    const { userId } = await expectModel(await napCall("POST", "/api/auth/signup", { json }), 200, SignupResultModel);
    const row = await env.DB.prepare("SELECT username, email_verified FROM users WHERE id = ?").bind(userId).first();
    expect(row).toEqual({ username: null, email_verified: 0 });
  });

  it("answers 400 ErrorResponse for a taken address, verified or not", async () => {
    const { email } = await napSignUp();
    const again = await napCall("POST", "/api/auth/signup", { json: signUpBody(email) });
    await expectNapError(again, 400, "A user with this email already exists.");
    const verified = await signUp();
    const taken = await napCall("POST", "/api/auth/signup", { json: signUpBody(verified.email, "another password 1") });
    await expectNapError(taken, 400, "A user with this email already exists.");
  });
});

describe("NAP: Send Verification Email and Verify Email Token", () => {
  it("send answers {success, message} and mails a single-use link without a code; verify redeems it once", async () => {
    const account = await napSignUp();
    const response = await napCallAndSettle("POST", "/api/auth/verify-email/send", { json: { email: account.email } });
    await expectModel(response, 200, DoneModel);
    const [mail] = await mailTo(account.email, "verify_email");
    expect(mail?.link).toMatch(/[?&]token=/);
    expect(mail?.code).toBeUndefined();
    expect(mail?.text).not.toMatch(/\b\d{6}\b/);

    const token = new URL(mail?.link ?? "").searchParams.get("token") ?? "";
    const verified = await napCall("POST", "/api/auth/verify-email/verify", { json: { token } });
    await expectModel(verified, 200, DoneModel);
    expect(await userState(account.userId)).toMatchObject({ email_verified: 1 });
    // Verifying opens no session: the client logs in next.
    expect(await env.DB.prepare("SELECT id FROM sessions WHERE user_id = ?").bind(account.userId).first()).toBeNull();
    // Single use.
    const replay = await napCall("POST", "/api/auth/verify-email/verify", { json: { token } });
    await expectNapError(replay, 400, "Invalid or expired token.");
  });

  it("answers the same for unknown, verified and unverified addresses, and mails only the unverified", async () => {
    const pending = await napSignUp();
    const verified = await napSession();
    const unknown = uniqueEmail("nobody");
    // napSession verified through one link already.
    const mailedBefore = (await mailTo(verified.email, "verify_email")).length;
    const bodies = [];
    for (const email of [pending.email, verified.email, unknown]) {
      const response = await napCallAndSettle("POST", "/api/auth/verify-email/send", { json: { email } });
      bodies.push(await expectModel(response, 200, DoneModel));
    }
    expect(new Set(bodies.map((body) => JSON.stringify(body))).size).toBe(1);
    expect(await mailTo(pending.email, "verify_email")).toHaveLength(1);
    expect(await mailTo(verified.email, "verify_email")).toHaveLength(mailedBefore);
    expect(await mailTo(unknown)).toHaveLength(0);
  });

  it("a newer link replaces the older one", async () => {
    const account = await napSignUp();
    const first = await napVerificationToken(account.email);
    const second = await napVerificationToken(account.email);
    await expectNapError(await napCall("POST", "/api/auth/verify-email/verify", { json: { token: first } }), 400);
    await expectModel(
      await napCall("POST", "/api/auth/verify-email/verify", { json: { token: second } }),
      200,
      DoneModel,
    );
  });
});

describe("NAP: User Login (POST /api/auth/login)", () => {
  it("answers HandlersUserLoginResult with tokens.Tokens once verified: RFC 3339 expiries, sid as session_id", async () => {
    const now = freezeClock();
    const { tokens, userId } = await napSession();
    const claims = claimsOf(jwtOf(tokens.session_token));
    expect(tokens.session_id).toBe(claims.sid);
    expect(claims.sub).toBe(userId);
    expect(secondsOf(tokens.session_token_expiry)).toBe(claims.exp);
    const row = await sessionRow(tokens.session_id);
    expect(row).toMatchObject({ user_id: userId, rotates_refresh_token: 1, revoked_at: null });
    // The refresh token stops working after the idle timeout unless used, never after the session's end.
    expect(secondsOf(tokens.refresh_token_expiry)).toBe(Math.min(now + (await idleTimeout()), row?.expires_at ?? 0));
  });

  it("also takes flowReturnTo (kept for flows, which come with organizations) and a form body", async () => {
    const { email, password } = await napSession();
    const withFlow = await napCall("POST", "/api/auth/login", { json: { email, password, flowReturnTo: "/home" } });
    await expectModel(withFlow, 200, LoginResultModel);
    await expectModel(await napCall("POST", "/api/auth/login", { form: { email, password } }), 200, LoginResultModel);
  });

  it("answers 403 {message, requireEmailVerification: true} for an unverified address, only after the right password", async () => {
    const { email, password } = await napSignUp();
    await expectModel(await napLogIn(email, password), 403, UnverifiedModel);
    await expectNapError(await napLogIn(email, "not the right password"), 401, "Invalid email or password.");
  });

  it("answers 401 ErrorResponse for a wrong password and an unknown address alike", async () => {
    const { email } = await napSession();
    const wrong = await expectNapError(await napLogIn(email, "not the right password"), 401);
    const unknown = await expectNapError(await napLogIn(uniqueEmail("nobody"), PASSWORD), 401);
    expect(unknown).toEqual(wrong);
  });
});

describe("NAP: Refresh Token and Logout", () => {
  it("refresh reads X-NAP-Refresh-Token alone (no body, no content type) and rotates the refresh token", async () => {
    const { tokens } = await napSession();
    const body = await expectModel(await refreshWith(tokens.refresh_token), 200, RefreshResultModel);
    expect(body.tokens.session_id).toBe(tokens.session_id);
    expect(body.tokens.refresh_token).not.toBe(tokens.refresh_token);
    expect(claimsOf(jwtOf(body.tokens.session_token)).sid).toBe(tokens.session_id);
    const next = await expectModel(await refreshWith(body.tokens.refresh_token), 200, RefreshResultModel);
    expect(next.tokens.session_id).toBe(tokens.session_id);
  });

  it("logout with X-NAP-Session-Token answers {success, message} and ends the session everywhere", async () => {
    const { tokens } = await napSession();
    const response = await logOutWith({ "X-NAP-Session-Token": tokens.session_token });
    await expectModel(response, 200, DoneModel);
    expect(await sessionRow(tokens.session_id)).toMatchObject({ revoked_at: expect.any(Number) });
    expect((await me(jwtOf(tokens.session_token))).status).toBe(401);
    expect(await introspect(jwtOf(tokens.session_token))).toEqual({ active: false });
    await expectNapError(await refreshWith(tokens.refresh_token), 401);
  });

  it("logout takes the session token decoded too, as the swagger tells clients to pass it", async () => {
    const { tokens } = await napSession();
    await expectModel(await logOutWith({ "X-NAP-Session-Token": jwtOf(tokens.session_token) }), 200, DoneModel);
    expect(await sessionRow(tokens.session_id)).toMatchObject({ revoked_at: expect.any(Number) });
  });

  it("logout with X-NAP-Refresh-Token alone, or with both, ends the session", async () => {
    const first = await napSession();
    await expectModel(await logOutWith({ "X-NAP-Refresh-Token": first.tokens.refresh_token }), 200, DoneModel);
    expect(await sessionRow(first.tokens.session_id)).toMatchObject({ revoked_at: expect.any(Number) });
    const second = await napSession();
    const both = {
      "X-NAP-Session-Token": second.tokens.session_token,
      "X-NAP-Refresh-Token": second.tokens.refresh_token,
    };
    await expectModel(await logOutWith(both), 200, DoneModel);
    expect(await sessionRow(second.tokens.session_id)).toMatchObject({ revoked_at: expect.any(Number) });
  });
});

describe("NAP: Get User Flow Data (GET /api/auth/flow/{flowId})", () => {
  it("answers 400 Flow not found: flows come with organizations", async () => {
    const response = await napCall("GET", `/api/auth/flow/${crypto.randomUUID()}`);
    await expectNapError(response, 400, "Flow not found");
  });
});

describe("NAP accounts are core accounts", () => {
  it("a NAP account logs in through /v1/login; its session token passes /v1/me and /v1/token/verify", async () => {
    const { email, password, userId, tokens } = await napSession();
    const pair = await logIn(email, password);
    expect(claimsOf(pair.access_token).sub).toBe(userId);
    expect((await me(jwtOf(tokens.session_token))).status).toBe(200);
    expect(await introspect(jwtOf(tokens.session_token))).toMatchObject({ active: true, sub: userId, email });
  });

  it("a /v1 account logs in through NAP, and NAP's logout ends the session /v1 refreshes", async () => {
    const account = await signUp();
    // NAP signs in verified accounts only; the /v1 account verifies through NAP's link.
    await expectModel(await napLogIn(account.email, PASSWORD), 403, UnverifiedModel);
    const token = await napVerificationToken(account.email);
    await expectModel(await napCall("POST", "/api/auth/verify-email/verify", { json: { token } }), 200, DoneModel);
    const login = await expectModel(await napLogIn(account.email, PASSWORD), 200, LoginResultModel);
    await expectModel(await logOutWith({ "X-NAP-Session-Token": login.tokens.session_token }), 200, DoneModel);
    const v1 = await napCall("POST", "/v1/token/refresh", { json: { refresh_token: login.tokens.refresh_token } });
    expect(v1.status).toBe(401);
    expect(await readJson(v1)).toMatchObject({ code: "invalid_refresh_token" });
  });
});

describe("NAP in /openapi.json", () => {
  it("documents its operations under the nap tag with the swagger's models and its X-NAP-* headers", async () => {
    type Operation = { tags: string[]; parameters?: { name: string; in: string }[]; responses: Record<string, never> };
    const document = await readJson<{ paths: Record<string, Record<string, Operation>> }>(
      await napCall("GET", "/openapi.json"),
    );
    const login = document.paths["/api/auth/login"]?.post;
    expect(login?.tags).toEqual(["nap"]);
    expect(Object.keys(login?.responses ?? {}).sort()).toEqual(["200", "400", "401", "403", "429", "500", "503"]);
    const tokens = JSON.stringify(login?.responses["200"]);
    for (const member of [
      "session_id",
      "session_token",
      "session_token_expiry",
      "refresh_token",
      "refresh_token_expiry",
    ]) {
      expect(tokens).toContain(member);
    }
    const logout = document.paths["/api/auth/logout"]?.post;
    expect(logout?.parameters?.map((parameter) => parameter.name).sort()).toEqual([
      "X-NAP-API-Key",
      "X-NAP-Refresh-Token",
      "X-NAP-Session-Token",
    ]);
    expect(document.paths["/api/auth/flow/{flowId}"]?.get?.tags).toEqual(["nap"]);
  });
});
