// Dialect C, the NBRGLM auth platform (issue 11, section C; reference/nap-openapi.json): the paths,
// fields and shapes its generated Python SDK expects, mapped onto the core services. It parses, calls
// a service and renders; every failure is rendered by nap-errors.ts, and when client keys are
// configured every path asks for one first (nap-api-key.ts).

import { type Context, Hono } from "hono";
import * as z from "zod";
import { AppError } from "../errors";
import type { AppEnv } from "../routes/http/app-env";
import { readBody } from "../routes/http/body";
import { clientInfo } from "../routes/http/client";
import { logRefusal } from "../routes/http/problem";
import { gate } from "../routes/http/rate-limit";
import { requestScope } from "../routes/http/request-scope";
import { presentedRefreshToken, readAccessToken } from "../routes/http/token-transport";
import { confirmEmailLink, resendVerificationCode } from "../services/email-verification-service";
import { logOutPresented } from "../services/presented-token-logout";
import { refreshSession } from "../services/refresh-service";
import { logInOrStartFlow } from "../services/sign-in-flow-service";
import { signUpUnverified } from "../services/signup-service";
import type { IssuedTokens } from "../services/token-issuer";
import type { Dialect } from "./dialect";
import { API_KEY_HEADER, requireNapApiKey } from "./nap-api-key";
import { napFailureResponse } from "./nap-errors";
import { NAP_OPERATIONS } from "./nap-openapi";
import { chooseNapFlowOrg, describeNapFlow, napFlowStarted, secondFactorRefusal } from "./nap-org-flow";
import { napOrgSignUp } from "./nap-org-signup";

const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };
export const SESSION_HEADER = "X-NAP-Session-Token";
export const REFRESH_HEADER = "X-NAP-Refresh-Token";
const SESSION_SOURCES = { accessTokenHeader: SESSION_HEADER };
const REFRESH_SOURCES = { refreshTokenHeader: REFRESH_HEADER };

const text = (max: number) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") })
    .max(max, `must be at most ${max} characters`);
/** The origin's Go binding refused an empty required string like a missing one. */
const required = (max: number) => text(max).min(1, "is required");

// Not strict: old clients send extras, which are dropped here and never stored.
const SignUpFields = z
  .object({
    email: required(320),
    // The swagger's own bounds (8–32); the core's password policy applies as well.
    password: text(32).min(8, "must be at least 8 characters"),
    confirmPassword: required(1024),
    firstName: text(100).trim().min(1, "is required"),
    lastName: text(100).trim().min(1, "is required"),
    inviteToken: text(1024).optional(),
  })
  .refine((fields) => fields.password === fields.confirmPassword, {
    message: "does not match password",
    path: ["confirmPassword"],
  });

/** flowReturnTo is kept on a flow (several organizations) and handed back by GET /api/auth/flow/{flowId}. */
const LogInFields = z.object({ email: required(320), password: required(1024), flowReturnTo: text(2048).optional() });
const EmailFields = z.object({ email: required(320) });
const TokenFields = z.object({ token: required(1024) });

/** RFC 3339, UTC, to the second: "2025-01-31T12:00:00Z". */
const rfc3339 = (seconds: number) => new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, "Z");

/**
 * The swagger's session token is "a jwt which is base64.RawURLEncoding encoded", which its clients
 * decode before use: the core's access token, so encoded. Its own headers take either form (an SDK
 * that decodes and one that passes the value through alike).
 */
const encodeSessionToken = (jwt: string) => btoa(jwt).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

function decodeSessionToken(value: string): string {
  if (value.includes(".")) return value;
  try {
    return atob(value.replace(/-/g, "+").replace(/_/g, "/"));
  } catch {
    // Not base64url either: the token check refuses it as malformed.
    return value;
  }
}

/** tokens.Tokens: the session token is the core's access token (encoded), its session id the token's `sid`. */
const napTokens = (tokens: IssuedTokens) => ({
  session_id: tokens.sessionId,
  session_token: encodeSessionToken(tokens.accessToken),
  session_token_expiry: rfc3339(tokens.claims.exp),
  refresh_token: tokens.refreshToken,
  refresh_token_expiry: rfc3339(tokens.refreshExpiresAt),
});

/** A request whose headers, not its body, are wrong: NAP's 400, worded for the developer. */
const missingHeaders = (message: string) => new AppError({ code: "invalid_request", issues: [{ field: "", message }] });

async function signUpUser(c: Context<AppEnv>): Promise<Response> {
  const { email, password, firstName, lastName, inviteToken } = await readBody(c, SignUpFields);
  const input = { email, password, profile: { firstName, lastName } };
  // An invite token, or (organizations required) the address's domain, decides first.
  const decided = await napOrgSignUp(c, input, inviteToken);
  if (decided) return decided;
  const result = await signUpUnverified(c.get("services"), input);
  if (!result.ok) throw new AppError(result.error);
  // No tokens and no mail: the SDK's client asks for the verification email next.
  return c.json({ userId: result.value.id, message: "Signup successful; verify your email to log in." }, 200, NO_STORE);
}

async function logInUser(c: Context<AppEnv>): Promise<Response> {
  const { email, password, flowReturnTo } = await readBody(c, LogInFields);
  // NAP's accounts sign in only once verified, whatever EMAIL_VERIFICATION says for /v1.
  const result = await logInOrStartFlow(
    c.get("services"),
    { email, password },
    clientInfo(c),
    { verification: "required" },
    requestScope(c),
    flowReturnTo,
  );
  if (!result.ok && result.error.code === "email_not_verified") {
    // Only after a correct password (the core's order), in the swagger's 403 UserLoginResult.
    logRefusal(result.error);
    return c.json({ message: "Verify your email address to log in.", requireEmailVerification: true }, 403, NO_STORE);
  }
  if (!result.ok) throw new AppError(result.error);
  const outcome = result.value;
  // NAP has no second-factor step: a password alone must not do, whether or not a flow would follow.
  if (outcome.kind === "mfa_required" || (outcome.kind === "flow" && outcome.due.includes("mfa"))) {
    return c.json(secondFactorRefusal(), 401, NO_STORE);
  }
  if (outcome.kind === "flow") return c.json(napFlowStarted(outcome), 200, NO_STORE);
  const body = { message: "Login successful", tokens: napTokens(outcome.tokens), requireEmailVerification: false };
  return c.json(body, 200, NO_STORE);
}

async function refreshTokens(c: Context<AppEnv>): Promise<Response> {
  const services = c.get("services");
  const refreshToken = presentedRefreshToken(c, services.config, undefined, REFRESH_SOURCES);
  if (!refreshToken) throw missingHeaders(`Send the refresh token in ${REFRESH_HEADER}.`);
  const result = await refreshSession(services, refreshToken, requestScope(c));
  if (!result.ok) throw new AppError(result.error);
  return c.json({ tokens: napTokens(result.value) }, 200, NO_STORE);
}

async function logOutUser(c: Context<AppEnv>): Promise<Response> {
  const services = c.get("services");
  const presented = readAccessToken(c, SESSION_SOURCES);
  const accessToken = presented && decodeSessionToken(presented);
  const refreshToken = presentedRefreshToken(c, services.config, undefined, REFRESH_SOURCES);
  if (!accessToken && !refreshToken) throw missingHeaders(`Send ${SESSION_HEADER} or ${REFRESH_HEADER}.`);
  const result = await logOutPresented(services, { accessToken, refreshToken });
  if (!result.ok) throw new AppError(result.error);
  return c.json({ success: true, message: "Logged out" }, 200, NO_STORE);
}

async function sendVerificationEmail(c: Context<AppEnv>): Promise<Response> {
  const { email } = await readBody(c, EmailFields);
  // The same answer for every address; the link (no code: NAP redeems tokens) is mailed after it.
  const result = await resendVerificationCode(c.get("services"), requestScope(c), email, "link");
  if (!result.ok) throw new AppError(result.error);
  const message = "If this address has an account to verify, a verification email is on its way.";
  return c.json({ success: true, message }, 200, NO_STORE);
}

async function verifyEmailToken(c: Context<AppEnv>): Promise<Response> {
  const { token } = await readBody(c, TokenFields);
  const result = await confirmEmailLink(c.get("services"), token);
  if (!result.ok) throw new AppError(result.error);
  return c.json({ success: true, message: "Email verified; you can log in now." }, 200, NO_STORE);
}

export const NAP_PATHS = {
  signup: "/api/auth/signup",
  login: "/api/auth/login",
  flow: "/api/auth/flow/:flowId",
  flowOrg: "/api/auth/flow/:flowId/org",
  refresh: "/api/auth/refresh",
  logout: "/api/auth/logout",
  sendVerification: "/api/auth/verify-email/send",
  verify: "/api/auth/verify-email/verify",
} as const;

const routes = new Hono<AppEnv>();
// Path by path, never "*": a sub-app's catch-all would run for every path of the Worker.
for (const path of Object.values(NAP_PATHS)) routes.use(path, requireNapApiKey);
routes.post(NAP_PATHS.signup, gate("sign_up"), signUpUser);
routes.post(NAP_PATHS.login, gate("log_in"), logInUser);
// A flow id will be a secret handle: looking one up is gated like redeeming a code.
routes.get(NAP_PATHS.flow, gate("redeem_code"), describeNapFlow);
routes.post(NAP_PATHS.flowOrg, gate("redeem_code"), (c) => chooseNapFlowOrg(c, napTokens));
routes.post(NAP_PATHS.refresh, gate("refresh_session"), refreshTokens);
routes.post(NAP_PATHS.logout, gate("end_session"), logOutUser);
routes.post(NAP_PATHS.sendVerification, gate("resend_verification"), sendVerificationEmail);
routes.post(NAP_PATHS.verify, gate("redeem_code"), verifyEmailToken);

export const nap: Dialect = {
  routes,
  failureResponse: napFailureResponse,
  // Every X-NAP-* header the swagger names.
  corsRequestHeaders: [SESSION_HEADER, REFRESH_HEADER, API_KEY_HEADER],
  operations: NAP_OPERATIONS,
};
