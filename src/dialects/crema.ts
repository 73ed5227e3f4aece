// Dialect A, crema (a Flask app; issue 11, section A): its documented /api/v1/… and the origin's
// own /api/… paths, mapped onto the core services. It parses, calls a service and renders; every
// failure is rendered by crema-errors.ts.

import { type Context, Hono } from "hono";
import * as z from "zod";
import { AppError } from "../errors";
import type { AppEnv } from "../routes/http/app-env";
import { requireCallerFrom } from "../routes/http/bearer";
import { readBody } from "../routes/http/body";
import { clientInfo } from "../routes/http/client";
import { gate } from "../routes/http/rate-limit";
import { requestScope } from "../routes/http/request-scope";
import { readBearerToken } from "../routes/http/token-transport";
import { logIn } from "../services/account-service";
import type { ClientInfo } from "../services/context";
import { shownUserId, type User } from "../services/model";
import { refreshSession } from "../services/refresh-service";
import { logOut } from "../services/session-service";
import { signUp } from "../services/signup-service";
import type { IssuedTokens } from "../services/token-issuer";
import { cremaFailureResponse } from "./crema-errors";
import { CREMA_OPERATIONS } from "./crema-openapi";
import type { Dialect } from "./dialect";

const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };

/**
 * The origin had no address verification: its accounts sign in at once, whatever EMAIL_VERIFICATION
 * says for /v1 (a verified address still shows in `email_verified_at`).
 */
const VERIFICATION = { verification: "optional" } as const;

/** crema's SPA keeps the refresh token it got at login for good: its sessions never rotate it. */
const cremaClient = (c: Context): ClientInfo => ({ ...clientInfo(c), rotatesRefreshToken: false });

const field = (max: number) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") })
    .max(max, `must be at most ${max} characters`);

// Not strict: old clients send extras, which are dropped here and never stored.
const SignUpFields = z.object({
  name: field(100).trim().min(1, "is required"),
  email: field(320),
  password: field(1024),
});

/** The document's table names the email field `name`; its SPA sends `email`. Either is accepted. */
const LogInFields = z
  .object({ email: field(320).optional(), name: field(320).optional(), password: field(1024) })
  .transform(({ email, name, password }) => ({ email: email || name, password }))
  .refine((fields): fields is { email: string; password: string } => fields.email !== undefined, {
    message: "is required",
    path: ["email"],
  });

const tokenPair = (tokens: IssuedTokens) => ({ token: tokens.accessToken, refresh_token: tokens.refreshToken });

/** ISO 8601 to the second without a zone, as the document shows ("2020-09-20T04:58:32"); UTC. */
const cremaTime = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 19);

/**
 * The document's user. `id`: an imported account's old id (an integer as a number), else our UUID.
 * The core keeps no time of verification: a verified address reports the account's last change.
 */
const toCremaUser = (user: User) => ({
  created_on: cremaTime(user.createdAt),
  id: shownUserId(user),
  email: user.email,
  email_verified_at: user.emailVerified ? cremaTime(user.updatedAt) : null,
  updated_on: cremaTime(user.updatedAt),
  name: user.name,
});

async function registerUser(c: Context<AppEnv>): Promise<Response> {
  const { name, email, password } = await readBody(c, SignUpFields);
  const result = await signUp(c.get("services"), { email, password, profile: { name } }, cremaClient(c), VERIFICATION);
  if (!result.ok) throw new AppError(result.error);
  return c.json(tokenPair(result.value.tokens), 200, NO_STORE);
}

async function logInUser(c: Context<AppEnv>): Promise<Response> {
  const input = await readBody(c, LogInFields);
  const result = await logIn(c.get("services"), input, cremaClient(c), VERIFICATION, requestScope(c));
  if (!result.ok) throw new AppError(result.error);
  if (result.value.kind === "mfa_required") {
    // crema has no step for a second factor, and a password alone must not open this account.
    return c.json({ error: "This account signs in with a second factor; use the main sign-in." }, 400, NO_STORE);
  }
  return c.json(tokenPair(result.value.tokens), 200, NO_STORE);
}

function describeCaller(c: Context<AppEnv>): Response {
  return c.json(toCremaUser(c.get("principal").user), 200, NO_STORE);
}

/** Flask-JWT-Extended's refresh: the refresh token as Bearer, only there (never a body or cookie). */
async function refreshAccess(c: Context<AppEnv>): Promise<Response> {
  const refreshToken = readBearerToken(c);
  if (!refreshToken) throw new AppError({ code: "invalid_token", reason: "no refresh token" });
  const result = await refreshSession(c.get("services"), refreshToken, requestScope(c));
  if (!result.ok) throw new AppError(result.error);
  return c.json({ access_token: result.value.accessToken }, 200, NO_STORE);
}

async function logOutCaller(c: Context<AppEnv>): Promise<Response> {
  await logOut(c.get("services"), { caller: c.get("principal"), refreshToken: null }, requestScope(c));
  return c.json({ message: "Successfully logged out" }, 200, NO_STORE);
}

const routes = new Hono<AppEnv>();
// Each path twice: the document's /api/v1/… and the /api/… the origin's SPA really calls.
for (const root of ["/api/v1", "/api"]) {
  routes.post(`${root}/users`, gate("sign_up"), registerUser);
  routes.post(`${root}/auth`, gate("log_in"), logInUser);
  // Ungated like GET /v1/me: it refuses an anonymous caller before any work, and guesses nothing.
  routes.get(`${root}/auth`, requireCallerFrom(), describeCaller);
}
routes.post("/api/refresh", gate("refresh_session"), refreshAccess);
routes.post("/api/logout", gate("end_session"), requireCallerFrom(), logOutCaller);

export const crema: Dialect = {
  routes,
  failureResponse: cremaFailureResponse,
  // Its SPA sends this response header as a request header on every call, so preflights name it.
  corsRequestHeaders: ["Access-Control-Allow-Origin"],
  operations: CREMA_OPERATIONS,
};
