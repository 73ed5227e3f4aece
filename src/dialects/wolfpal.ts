// Dialect D, wolfpal (an Express app; issue 11, section D): its /auth/… routes mapped onto the core
// services. It parses (JSON or form, as its SPA and its document send them), calls a service and
// renders; every failure is rendered by wolfpal-errors.ts.

import { type Context, Hono } from "hono";
import * as z from "zod";
import { normalizeRecoveryCode } from "../crypto/recovery-code";
import { AppError, type Result } from "../errors";
import type { AppEnv } from "../routes/http/app-env";
import { requireCallerFrom } from "../routes/http/bearer";
import { readBody } from "../routes/http/body";
import { clientInfo } from "../routes/http/client";
import { gate } from "../routes/http/rate-limit";
import { requestScope } from "../routes/http/request-scope";
import { logIn } from "../services/account-service";
import { completeMfaChallenge } from "../services/mfa-service";
import { recoveryCodeFactor } from "../services/recovery-codes";
import { refreshSession } from "../services/refresh-service";
import { logOut } from "../services/session-service";
import { signUp } from "../services/signup-service";
import type { IssuedTokens } from "../services/token-issuer";
import { totpFactor } from "../services/totp-service";
import type { Dialect } from "./dialect";
import { wolfpalFailureResponse } from "./wolfpal-errors";
import { WOLFPAL_OPERATIONS } from "./wolfpal-openapi";

const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };

/** A required string field; an empty one is missing, as the origin's validators judged it. */
const field = (max: number) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") })
    .min(1, "is required")
    .max(max, `must be at most ${max} characters`);

// Not strict: old clients send extras, which are dropped here and never stored.
const RegisterFields = z.object({
  // The origin's rule for usernames (letters and digits, 3 to 28), a subset of the core's.
  username: field(64)
    .refine((name) => name.length >= 3 && name.length <= 28, "must be between 3 and 28 characters long")
    .refine((name) => /^[A-Za-z0-9]*$/.test(name), "must only contain numbers or letters"),
  email: field(320),
  // Its length and strength are the core's password policy.
  password: field(1024),
});

const LogInFields = z.object({ email: field(320), password: field(1024) });
const TwoFactorFields = z.object({ token: field(1024), code: field(64) });
const RefreshFields = z.object({ refresh_token: field(4096) });

const tokensOf = (tokens: IssuedTokens) => ({ access_token: tokens.accessToken, refresh_token: tokens.refreshToken });

function unwrap<T>(result: Result<T>): T {
  if (!result.ok) throw new AppError(result.error);
  return result.value;
}

/** DIALECT_WOLFPAL_UNCONFIRMED_LOGIN: the origin let accounts log in before confirming the address. */
const unconfirmedLogin = (c: Context<AppEnv>) => c.get("services").config.dialectPolicy.wolfpalUnconfirmedLogin;

async function register(c: Context<AppEnv>): Promise<Response> {
  const { username, email, password } = await readBody(c, RegisterFields);
  unwrap(
    await signUp(c.get("services"), { email, password, profile: { username } }, clientInfo(c), {
      // The confirmation mail (code and link) is sent whatever EMAIL_VERIFICATION says for /v1.
      verification: "required",
      // The document's 409 for a taken address, as the origin answered.
      revealTakenAddress: true,
      // Where unconfirmed accounts log in, a pending one is someone's account in use: the core
      // replaces none then (config.unverifiedSignIn).
    }),
  );
  const pending = {
    code: "PENDING_CONFIRMATION",
    error: "Please confirm your email address to complete the registration.",
  };
  return c.json(pending, 201, NO_STORE);
}

async function logInUser(c: Context<AppEnv>): Promise<Response> {
  const input = await readBody(c, LogInFields);
  const verification = unconfirmedLogin(c) ? "optional" : "required";
  const outcome = unwrap(await logIn(c.get("services"), input, clientInfo(c), { verification }, requestScope(c)));
  if (outcome.kind === "mfa_required") {
    const challenge = { code: "TWO_FACTOR_REQUIRED", error: "Two Factor is required to complete login." };
    return c.json({ ...challenge, token: outcome.mfaToken, twoFactor: true }, 200, NO_STORE);
  }
  return c.json({ ...tokensOf(outcome.tokens), twoFactor: false }, 200, NO_STORE);
}

/** One `code` field for both: a recovery code by its shape (12 base32 characters), else a TOTP code. */
async function completeTwoFactor(c: Context<AppEnv>): Promise<Response> {
  const { token, code } = await readBody(c, TwoFactorFields);
  const factor = normalizeRecoveryCode(code) === null ? totpFactor(code) : recoveryCodeFactor(code);
  const result = await completeMfaChallenge(c.get("services"), token, factor, clientInfo(c), requestScope(c));
  // A method the challenge does not offer (an account whose only second factor is SMS): a wrong code here.
  if (!result.ok && result.error.code === "invalid_request") {
    throw new AppError({ code: "invalid_mfa_code", reason: `${factor.method} not offered by the challenge` });
  }
  return c.json({ ...tokensOf(unwrap(result).tokens), twoFactor: true }, 200, NO_STORE);
}

async function refresh(c: Context<AppEnv>): Promise<Response> {
  const { refresh_token } = await readBody(c, RefreshFields);
  return c.json(
    tokensOf(unwrap(await refreshSession(c.get("services"), refresh_token, requestScope(c)))),
    200,
    NO_STORE,
  );
}

/** The access token as Bearer ends its session (its refresh token too); any body is ignored. */
async function logOutCaller(c: Context<AppEnv>): Promise<Response> {
  await logOut(c.get("services"), { caller: c.get("principal"), refreshToken: null }, requestScope(c));
  return c.json({ code: "LOGGED_OUT", error: "You are now logged out." }, 200, NO_STORE);
}

const routes = new Hono<AppEnv>();
routes.post("/auth/register", gate("sign_up"), register);
routes.post("/auth/login", gate("log_in"), logInUser);
routes.post("/auth/two-factor", gate("second_factor"), completeTwoFactor);
routes.post("/auth/refresh", gate("refresh_session"), refresh);
routes.post("/auth/logout", gate("end_session"), requireCallerFrom(), logOutCaller);

export const wolfpal: Dialect = {
  routes,
  failureResponse: wolfpalFailureResponse,
  // Authorization and Content-Type, all its SPA sends, are accepted by every preflight already.
  corsRequestHeaders: [],
  operations: WOLFPAL_OPERATIONS,
};
