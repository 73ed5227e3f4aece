// Bookings' operations in /openapi.json: the shapes its document and Django REST Framework answer.

import * as z from "zod";
import type { DialectOperation } from "./dialect";

const Detail = z.object({ detail: z.string() });
const FieldErrors = z.record(z.string(), z.array(z.string())).describe('DRF field errors: {"<field>": ["<message>"]}');
const TokenNotValid = z.object({
  detail: z.literal("Token is invalid or expired"),
  code: z.literal("token_not_valid"),
});
const Pair = z.object({ access: z.string().describe("An ES256 access token"), refresh: z.string() });

const common = {
  400: { description: "Invalid input, per field", schema: FieldErrors },
  429: { description: "Throttled (Retry-After)", schema: Detail },
} as const;

const verifyOperation = (path: string): DialectOperation => ({
  method: "post",
  path,
  summary: "The mailed code for a single-use reset token",
  body: z.object({ email: z.string(), otp: z.string().describe("The 6-digit code from the mail") }),
  responses: {
    200: { description: "Verified", schema: z.object({ detail: z.string(), token: z.string() }) },
    400: {
      description: "Wrong, used or expired code, or invalid input",
      schema: z.union([Detail, FieldErrors]),
    },
    429: common[429],
  },
});

const socialOperation = (path: string): DialectOperation => ({
  method: "post",
  path,
  summary: "Google sign-in",
  body: z.object({ access_code: z.string() }),
  responses: {
    200: { description: "Logged in", schema: Pair },
    201: { description: "User created successfully!", schema: Pair.extend({ detail: z.string() }) },
    400: common[400],
    401: { description: "Invalid, expired or revoked", schema: TokenNotValid },
    403: { description: "Unverified address, or MFA", schema: Detail },
    503: { description: "Google unreachable", schema: Detail },
    429: common[429],
  },
});

export const BOOKINGS_OPERATIONS: DialectOperation[] = [
  {
    method: "post",
    path: "/auth/register/",
    summary: "Register; without a password a code to set one is mailed",
    body: z.object({
      first_name: z.string(),
      last_name: z.string(),
      address: z.string().optional(),
      email: z.string(),
      phone_no: z.string().describe("E.164, stored unverified"),
      password: z.string().optional(),
    }),
    responses: {
      201: { description: "User created successfully", schema: Detail },
      400: { description: "Invalid input, or the address is taken", schema: FieldErrors },
      503: { description: "The mail could not be sent", schema: Detail },
      429: common[429],
    },
  },
  {
    method: "post",
    path: "/auth/token/",
    summary: "Log in: a token pair",
    body: z.object({ email: z.string(), phone_number: z.string().optional(), password: z.string() }),
    responses: {
      200: { description: "Logged in", schema: Pair },
      400: common[400],
      401: { description: "No active account found with the given credentials", schema: Detail },
      403: { description: "The account has a second factor", schema: Detail },
      429: common[429],
    },
  },
  {
    method: "post",
    path: "/auth/token/refresh/",
    summary: "A new pair for a refresh token",
    body: z.object({ refresh_token: z.string().optional(), refresh: z.string().optional() }),
    responses: {
      200: { description: "Refreshed", schema: Pair },
      400: common[400],
      401: { description: "Invalid, expired, revoked or reused", schema: TokenNotValid },
      429: common[429],
    },
  },
  {
    method: "post",
    path: "/auth/token/verify/",
    summary: "Check an access token",
    body: z.object({ access_token: z.string().optional(), token: z.string().optional() }),
    responses: {
      200: { description: "Valid", schema: z.object({}).strict() },
      400: common[400],
      401: { description: "Invalid, expired or revoked", schema: TokenNotValid },
      429: common[429],
    },
  },
  {
    method: "post",
    path: "/auth/password/reset/",
    summary: "Mail a 6-digit code",
    body: z.object({ email: z.string() }),
    responses: {
      200: { description: "Code sent", schema: Detail },
      400: common[400],
      404: { description: "Unknown address", schema: Detail },
      503: { description: "The mail could not be sent", schema: Detail },
      429: common[429],
    },
  },
  ...["/auth/password/reset/verify", "/auth/password/reset/verify/"].map(verifyOperation),
  {
    method: "post",
    path: "/auth/password/reset/confirm/",
    summary: "Set the new password (verify's token, or email and otp)",
    body: z.object({
      token: z.string().optional(),
      email: z.string().optional(),
      otp: z.string().optional(),
      password: z.string(),
    }),
    responses: {
      200: { description: "Password reset successfully", schema: Detail },
      400: {
        description: "Used or expired token or code, or invalid input",
        schema: z.union([Detail, FieldErrors]),
      },
      429: common[429],
    },
  },
  ...["/auth/social/google-oauth2", "/auth/social/google-oauth2/"].map(socialOperation),
];
