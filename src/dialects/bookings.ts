// Dialect B, Bookings (a Django REST Framework app with simplejwt; issue 11, section B): its
// documented /auth/… paths, trailing slashes as documented, mapped onto the core services. It
// parses, calls a service and renders; every failure is rendered by bookings-errors.ts.

import { type Context, Hono } from "hono";
import { AppError } from "../errors";
import type { AppEnv } from "../routes/http/app-env";
import { readBody } from "../routes/http/body";
import { clientInfo } from "../routes/http/client";
import { gate } from "../routes/http/rate-limit";
import { requestScope } from "../routes/http/request-scope";
import { logIn } from "../services/account-service";
import { registerDisclosingTakenAddress } from "../services/disclosed-registration";
import { resetPassword } from "../services/password-service";
import { refreshSession } from "../services/refresh-service";
import { exchangeResetCode, requestResetCode, resetPasswordWithEmailCode } from "../services/reset-code-exchange";
import { introspectAccessToken } from "../services/token-verification";
import { NO_STORE, secondFactorRefusal, tokenPair } from "./bookings-answers";
import { bookingsFailureResponse } from "./bookings-errors";
import { BOOKINGS_OPERATIONS } from "./bookings-openapi";
import {
  CodeFields,
  ConfirmFields,
  LoginFields,
  RefreshFields,
  RegisterFields,
  ResetRequestFields,
  VerifyFields,
} from "./bookings-schemas";
import { socialSignIn } from "./bookings-social";
import type { Dialect } from "./dialect";

/**
 * No session and no tokens: the document answers 201 alone. Without a password (as documented) the
 * account signs in once its owner has set one with the mailed code; with one, as EMAIL_VERIFICATION
 * says (the mailed link verifies the address). A registered address answers DRF's 400.
 */
async function register(c: Context<AppEnv>): Promise<Response> {
  const fields = await readBody(c, RegisterFields);
  const result = await registerDisclosingTakenAddress(c.get("services"), {
    email: fields.email,
    ...(fields.password === undefined ? {} : { password: fields.password }),
    profile: {
      firstName: fields.first_name,
      lastName: fields.last_name,
      phone: fields.phone_no,
      ...(fields.address === undefined ? {} : { address: fields.address }),
    },
  });
  if (!result.ok) throw new AppError(result.error);
  return c.json({ detail: "User created successfully" }, 201, NO_STORE);
}

async function obtainPair(c: Context<AppEnv>): Promise<Response> {
  const { email, password } = await readBody(c, LoginFields);
  const result = await logIn(c.get("services"), { email, password }, clientInfo(c), {}, requestScope(c));
  if (!result.ok) throw new AppError(result.error);
  // simplejwt has no step for a second factor, and a password alone must not open this account.
  if (result.value.kind === "mfa_required") return secondFactorRefusal(c);
  return c.json(tokenPair(result.value.tokens), 200, NO_STORE);
}

async function refreshPair(c: Context<AppEnv>): Promise<Response> {
  const refreshToken = await readBody(c, RefreshFields);
  const result = await refreshSession(c.get("services"), refreshToken, requestScope(c));
  if (!result.ok) throw new AppError(result.error);
  return c.json(tokenPair(result.value), 200, NO_STORE);
}

/** /v1/token/verify's check (signature, claims, the session denylist); a live token answers `{}`. */
async function verifyAccess(c: Context<AppEnv>): Promise<Response> {
  const token = await readBody(c, VerifyFields);
  const introspection = await introspectAccessToken(c.get("services"), token);
  if (!introspection.active) {
    const { rejection } = introspection;
    throw new AppError({ code: "invalid_token", reason: rejection, tokenRejection: rejection });
  }
  return c.json({}, 200, NO_STORE);
}

/** DIALECT_BOOKINGS_UNKNOWN_RESET decides whether an address without an account answers 404 (documented) or 200. */
async function requestReset(c: Context<AppEnv>): Promise<Response> {
  const { email } = await readBody(c, ResetRequestFields);
  const services = c.get("services");
  const unknown = services.config.dialectPolicy.bookingsUnknownReset;
  const result = await requestResetCode(services, requestScope(c), email, unknown);
  if (!result.ok) throw new AppError(result.error);
  return c.json({ detail: "An OTP email was sent to the user" }, 200, NO_STORE);
}

/** The mailed code for a single-use reset token; wrong, dead and unknown alike, counted against the budget. */
async function verifyCode(c: Context<AppEnv>): Promise<Response> {
  const { email, otp } = await readBody(c, CodeFields);
  const result = await exchangeResetCode(c.get("services"), { email, code: otp });
  if (!result.ok) throw new AppError(result.error);
  return c.json({ detail: "OTP verified successfully", token: result.value.token }, 200, NO_STORE);
}

/** The new password, with verify's token or with the address and code; ends every session. */
async function confirmReset(c: Context<AppEnv>): Promise<Response> {
  const fields = await readBody(c, ConfirmFields);
  const services = c.get("services");
  const result =
    fields.token !== undefined
      ? await resetPassword(services, requestScope(c), { token: fields.token }, fields.password)
      : await resetPasswordWithEmailCode(services, requestScope(c), fields, fields.password);
  if (!result.ok) throw new AppError(result.error);
  return c.json({ detail: "Password reset successfully" }, 200, NO_STORE);
}

const routes = new Hono<AppEnv>();
routes.post("/auth/register/", gate("sign_up"), register);
routes.post("/auth/token/", gate("log_in"), obtainPair);
routes.post("/auth/token/refresh/", gate("refresh_session"), refreshPair);
// /v1/token/verify is ungated (services call it); a dialect path shares the refresh budget instead.
routes.post("/auth/token/verify/", gate("refresh_session"), verifyAccess);
routes.post("/auth/password/reset/", gate("request_password_reset"), requestReset);
// The document names it without the trailing slash; its siblings have one, so both are served.
routes.post("/auth/password/reset/verify", gate("redeem_code"), verifyCode);
routes.post("/auth/password/reset/verify/", gate("redeem_code"), verifyCode);
routes.post("/auth/password/reset/confirm/", gate("redeem_code"), confirmReset);
routes.post("/auth/social/google-oauth2", gate("social_sign_in"), socialSignIn);
routes.post("/auth/social/google-oauth2/", gate("social_sign_in"), socialSignIn);

export const bookings: Dialect = {
  routes,
  failureResponse: bookingsFailureResponse,
  // Its clients send Authorization and Content-Type, which every preflight already accepts.
  corsRequestHeaders: [],
  operations: BOOKINGS_OPERATIONS,
};
