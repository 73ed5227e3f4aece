// BioEntrust's operations in /openapi.json: the shapes its document shows, at both spellings of the
// paths it spells two ways.

import * as z from "zod";
import type { DialectOperation } from "./dialect";

const Refusal = z.object({ error: z.string() });
const StatusError = z.object({ status: z.literal("error"), message: z.string() });
const Message = z.object({ message: z.string() });
const LoggedIn = z.object({
  message: z.literal("Logged In"),
  token: z.object({ access: z.string(), refresh: z.string() }),
});
const code = z.union([z.string(), z.number().int()]).describe("The code (a string; a number has its zeros restored)");

const limited = { 429: { description: "Too many requests (Retry-After)", schema: Refusal } };
const unauthorized = {
  401: { description: "Token missing, expired, revoked or of the wrong kind", schema: StatusError },
};
const failed = { 500: { description: "Internal error", schema: StatusError } };

const verifyEmail = (path: string): DialectOperation => ({
  method: "post",
  path,
  summary: "Verify the address with the mailed code and sign in",
  body: z.object({ otp: code, otp_request_id: z.string() }),
  responses: {
    200: { description: "Verified and signed in", schema: LoggedIn },
    400: { description: "A field missing or mistyped", schema: Refusal },
    401: { description: "Signup Failed: wrong, used or expired code (counted)", schema: Refusal },
    ...limited,
  },
});

const verifySms = (path: string): DialectOperation => ({
  method: "post",
  path,
  summary: "Confirm the signed-in caller's number with the code /v1/phone texted (app_id is ignored)",
  bearer: true,
  body: z.object({ app_id: z.unknown().optional(), otp: code, otp_request_id: z.string() }),
  responses: {
    200: { description: "Phone number verified", schema: Message },
    400: { description: "A field missing or mistyped", schema: Refusal },
    401: { description: "Verification failed, or no access token (Unauthorized)", schema: Refusal.or(StatusError) },
    ...limited,
  },
});

const resetPassword = (path: string): DialectOperation => ({
  method: "post",
  path,
  summary: "Set a new password with the mailed single-use reset token as Bearer; ends every session",
  bearer: true,
  body: z.object({
    email: z.string().optional().describe("Ignored: the token names the account"),
    password: z.string(),
  }),
  responses: {
    200: { description: "Password reset successfully", schema: Message },
    400: { description: "Invalid token or password", schema: Refusal },
    ...limited,
  },
});

export const BIOENTRUST_OPERATIONS: DialectOperation[] = [
  {
    method: "get",
    path: "/user/home",
    summary: "The welcome (DIALECT_BIOENTRUST_PRODUCT_NAME names the product)",
    responses: { 200: { description: "Welcome", schema: z.object({ new_data: z.string() }) }, ...failed },
  },
  {
    method: "get",
    path: "/user/protected",
    summary: "Protected data for a valid access token",
    bearer: true,
    responses: { 200: { description: "Protected data", schema: z.object({ new_data: z.string() }) }, ...unauthorized },
  },
  {
    method: "post",
    path: "/user/signup",
    summary: "Register; a code is mailed to verify the address, and no session opens yet",
    body: z.object({ first_name: z.string(), last_name: z.string(), email: z.string(), password: z.string() }),
    responses: {
      200: {
        description: "otp sent",
        schema: z.object({ otp_request_id: z.string().describe("A UUID"), response: z.literal("otp sent") }),
      },
      400: { description: "Password too short or otherwise refused, or a field missing", schema: Refusal },
      409: { description: "Email address already in use", schema: Refusal },
      ...limited,
    },
  },
  verifyEmail("/user/verify-email"),
  verifyEmail("/user/verify_email"),
  {
    method: "post",
    path: "/user/signin",
    summary: "Sign in with a verified address",
    body: z.object({ email: z.string(), password: z.string() }),
    responses: {
      200: { description: "Logged In", schema: LoggedIn },
      400: { description: "A field missing or mistyped", schema: Refusal },
      401: { description: "Invalid login credentials (unknown address alike)", schema: Refusal },
      ...limited,
    },
  },
  verifySms("/user/verify-sms"),
  verifySms("/user/verify_sms"),
  {
    method: "delete",
    path: "/user/signout",
    summary: "End the session of the refresh token sent as Bearer, access tokens included",
    bearer: true,
    responses: { 200: { description: "Signed out", schema: Message }, ...unauthorized, ...limited },
  },
  {
    method: "get",
    path: "/user/refresh",
    summary: "A new access token for the refresh token sent as Bearer (it does not rotate)",
    bearer: true,
    responses: {
      200: { description: "Refreshed", schema: z.object({ token: z.object({ access: z.string() }) }) },
      ...unauthorized,
      ...limited,
    },
  },
  {
    method: "post",
    path: "/user/forgot-password",
    summary: "Mail a reset link, known address or not (a `password` sent along is ignored)",
    body: z.object({ email: z.string() }),
    responses: {
      200: { description: "Password reset link sent", schema: Message },
      400: { description: "A field missing or mistyped", schema: Refusal },
      ...limited,
    },
  },
  resetPassword("/auth/reset-password"),
  resetPassword("/user/reset-password"),
  resetPassword("/user/reset-password/"),
];
