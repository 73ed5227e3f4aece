// Dialect E, BioEntrust (a Flask app; issue 11, section E): its /user/… paths and the documented
// /auth/reset-password, mapped onto the core services. It parses, calls a service and renders; every
// failure is rendered by bioentrust-errors.ts.

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
import { requestPasswordReset, resetPassword } from "../services/password-service";
import { confirmPhoneNumber } from "../services/phone-service";
import { logOutPresented } from "../services/presented-token-logout";
import { refreshSession } from "../services/refresh-service";
import { signUp } from "../services/signup-service";
import type { IssuedTokens } from "../services/token-issuer";
import { verifyEmailAndSignIn } from "../services/verified-sign-in";
import { bioentrustFailureResponse, type RouteWords, refuseInWords } from "./bioentrust-errors";
import { BIOENTRUST_OPERATIONS } from "./bioentrust-openapi";
import type { Dialect } from "./dialect";

const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };

/**
 * The origin kept no account until its address came back verified, so a BioEntrust sign-up always
 * mails a code and a sign-in always wants a verified address, whatever EMAIL_VERIFICATION says for
 * /v1. Its document promises 409 for a registered address, so sign-up says so.
 */
const VERIFIED = { verification: "required" } as const;
const SIGN_UP = { ...VERIFIED, revealTakenAddress: true } as const;

/** Its clients keep the refresh token they got at sign-in for good: its sessions never rotate it. */
const bioentrustClient = (c: Context): ClientInfo => ({ ...clientInfo(c), rotatesRefreshToken: false });

const SECOND_FACTOR = { error: "This account signs in with a second factor; use the main sign-in" };

const VERIFY_EMAIL_WORDS: RouteWords = {
  status: 401,
  error: "Signup Failed",
  codes: ["invalid_code", "code_expired", "invalid_request"],
};
const VERIFY_SMS_WORDS: RouteWords = {
  status: 401,
  error: "Verification failed",
  codes: ["invalid_code", "code_expired", "invalid_request"],
};
const RESET_WORDS: RouteWords = {
  status: 400,
  error: "Invalid token or password",
  codes: ["invalid_code", "code_expired", "weak_password", "invalid_request"],
};

const field = (max: number) =>
  z
    .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") })
    .max(max, `must be at most ${max} characters`);

const name = field(100).trim().min(1, "is required");

/** A code as a string, or as the number a client parsed it into (leading zeros restored below). */
const otp = z.custom<string | number>((value) => typeof value === "string" || typeof value === "number", {
  error: (issue) => (issue.input === undefined ? "is required" : "must be a string"),
});

// Not strict: old clients send extras, which are dropped here and never stored.
const SignUpFields = z.object({ first_name: name, last_name: name, email: field(320), password: field(1024) });
const SignInFields = z.object({ email: field(320), password: field(1024) });
const EmailCodeFields = z.object({ otp, otp_request_id: field(100) });
/** `app_id` named the origin's client app; the code's own account decides here, so it is ignored. */
const SmsCodeFields = EmailCodeFields;
const ForgotFields = z.object({ email: field(320) });
/** `email` is ignored: the reset token names the account. */
const ResetFields = z.object({ password: field(1024) });

const tokenPair = (tokens: IssuedTokens) => ({
  message: "Logged In",
  token: { access: tokens.accessToken, refresh: tokens.refreshToken },
});

function codeOf(c: Context<AppEnv>, input: z.infer<typeof EmailCodeFields>) {
  const { otp: code, otp_request_id: requestId } = input;
  if (typeof code === "string") return { requestId, code };
  // Anything but a whole number stays unlike digits, and is refused as a wrong code.
  const digits = Number.isSafeInteger(code) && code >= 0 ? String(code) : "-";
  return { requestId, code: digits.padStart(c.get("services").config.otpCodeLength, "0") };
}

function welcome(c: Context<AppEnv>): Response {
  const product = c.get("services").config.dialectPolicy.bioentrustProductName;
  return c.json({ new_data: `Welcome to ${product} Auth server` }, 200);
}

const protectedData = (c: Context<AppEnv>) => c.json({ new_data: "Protected data" }, 200, NO_STORE);

async function signUpUser(c: Context<AppEnv>): Promise<Response> {
  const { first_name, last_name, email, password } = await readBody(c, SignUpFields);
  const profile = { firstName: first_name, lastName: last_name };
  const result = await signUp(c.get("services"), { email, password, profile }, bioentrustClient(c), SIGN_UP);
  if (!result.ok) throw new AppError(result.error);
  if (result.value.kind !== "verification_required") throw new AppError({ code: "internal_error" });
  return c.json({ otp_request_id: result.value.requestId, response: "otp sent" }, 200, NO_STORE);
}

async function verifyEmailAddress(c: Context<AppEnv>): Promise<Response> {
  const input = codeOf(c, await readBody(c, EmailCodeFields));
  const result = await verifyEmailAndSignIn(c.get("services"), input, bioentrustClient(c));
  if (!result.ok) return refuseInWords(c, result.error, VERIFY_EMAIL_WORDS);
  if (result.value.kind === "mfa_required") return c.json(SECOND_FACTOR, 401, NO_STORE);
  return c.json(tokenPair(result.value.tokens), 200, NO_STORE);
}

async function signIn(c: Context<AppEnv>): Promise<Response> {
  const input = await readBody(c, SignInFields);
  const result = await logIn(c.get("services"), input, bioentrustClient(c), VERIFIED, requestScope(c));
  if (!result.ok) throw new AppError(result.error);
  // No step for a second factor in this document, and a password alone must not open this account.
  if (result.value.kind === "mfa_required") return c.json(SECOND_FACTOR, 401, NO_STORE);
  return c.json(tokenPair(result.value.tokens), 200, NO_STORE);
}

/** The code /v1/phone texted to the signed-in caller's number (the core binds it to them). */
async function verifySms(c: Context<AppEnv>): Promise<Response> {
  const input = codeOf(c, await readBody(c, SmsCodeFields));
  const result = await confirmPhoneNumber(c.get("services"), c.get("principal"), input);
  if (!result.ok) return refuseInWords(c, result.error, VERIFY_SMS_WORDS);
  return c.json({ message: "Phone number verified" }, 200, NO_STORE);
}

/** Flask-JWT-Extended's refresh-token routes: the refresh token as Bearer, only there. */
function presentedRefreshToken(c: Context<AppEnv>): string {
  const token = readBearerToken(c);
  if (!token) throw new AppError({ code: "invalid_token", reason: "no refresh token" });
  return token;
}

async function signOut(c: Context<AppEnv>): Promise<Response> {
  const result = await logOutPresented(c.get("services"), {
    accessToken: null,
    refreshToken: presentedRefreshToken(c),
  });
  if (!result.ok) throw new AppError(result.error);
  return c.json({ message: "Signed out successfully" }, 200, NO_STORE);
}

async function refreshAccess(c: Context<AppEnv>): Promise<Response> {
  const result = await refreshSession(c.get("services"), presentedRefreshToken(c), requestScope(c));
  if (!result.ok) throw new AppError(result.error);
  return c.json({ token: { access: result.value.accessToken } }, 200, NO_STORE);
}

async function forgotPassword(c: Context<AppEnv>): Promise<Response> {
  const { email } = await readBody(c, ForgotFields);
  const result = await requestPasswordReset(c.get("services"), requestScope(c), email);
  if (!result.ok) throw new AppError(result.error);
  return c.json({ message: "Password reset link sent" }, 200, NO_STORE);
}

/** The mailed link's single-use token as Bearer (the origin's was an access token). */
async function resetWithToken(c: Context<AppEnv>): Promise<Response> {
  const token = readBearerToken(c);
  if (!token) return refuseInWords(c, { code: "code_expired", reason: "no reset token" }, RESET_WORDS);
  const { password } = await readBody(c, ResetFields);
  const result = await resetPassword(c.get("services"), requestScope(c), { token }, password);
  if (!result.ok) return refuseInWords(c, result.error, RESET_WORDS);
  return c.json({ message: "Password reset successfully" }, 200, NO_STORE);
}

const routes = new Hono<AppEnv>();
// A fixed greeting: no input, no work, nothing to gate.
routes.get("/user/home", welcome);
// Ungated like GET /v1/me: it refuses an anonymous caller before any work, and guesses nothing.
routes.get("/user/protected", requireCallerFrom(), protectedData);
routes.post("/user/signup", gate("sign_up"), signUpUser);
routes.post("/user/signin", gate("log_in"), signIn);
// The document's heading and its URL spell these two differently: both are served.
for (const path of ["/user/verify-email", "/user/verify_email"])
  routes.post(path, gate("redeem_code"), verifyEmailAddress);
for (const path of ["/user/verify-sms", "/user/verify_sms"]) {
  routes.post(path, gate("redeem_code"), requireCallerFrom(), verifySms);
}
routes.delete("/user/signout", gate("end_session"), signOut);
routes.get("/user/refresh", gate("refresh_session"), refreshAccess);
routes.post("/user/forgot-password", gate("request_password_reset"), forgotPassword);
for (const path of ["/auth/reset-password", "/user/reset-password", "/user/reset-password/"]) {
  routes.post(path, gate("redeem_code"), resetWithToken);
}

export const bioentrust: Dialect = {
  routes,
  failureResponse: bioentrustFailureResponse,
  corsRequestHeaders: [],
  operations: BIOENTRUST_OPERATIONS,
};
