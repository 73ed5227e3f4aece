// NAP's operations in /openapi.json: the swagger's own shapes (reference/nap-openapi.json), as this
// version answers them. The X-NAP-API-Key header applies to every operation when keys are configured.

import * as z from "zod";
import type { DialectOperation } from "./dialect";

const time = z.string().describe('RFC 3339, UTC: "2025-01-31T12:00:00Z"');
/** tokens.Tokens */
const Tokens = z.object({
  session_id: z.string().describe("The session's id: the session token's `sid`"),
  session_token: z
    .string()
    .describe("An ES256 at+jwt access token as /v1 issues it, base64url-encoded (decode it before use)"),
  session_token_expiry: time,
  refresh_token: z.string().describe("Opaque; rotated by every refresh"),
  refresh_token_expiry: time.describe("When the refresh token stops working unless used before (RFC 3339)"),
});
/** models.ErrorResponse */
const ErrorResponse = z.object({
  message: z.string(),
  debug: z.string().describe("A short hint for the developer"),
  code: z.number().int().describe("The HTTP status"),
});
/** handlers.UserFlowData; orgs are models.OrgCompat (id, name, slug, settings, createdAt, updatedAt) */
const FlowData = z.object({
  id: z.string(),
  type: z.literal("login"),
  userId: z.string(),
  email: z.string(),
  orgs: z.array(z.record(z.string(), z.unknown())),
  mfaRequired: z.boolean(),
  mfaVerified: z.boolean(),
  returnTo: z.string().optional(),
  createdAt: time,
  expiresAt: time,
});
const LoginTokens = z.object({ message: z.string(), tokens: Tokens, requireEmailVerification: z.literal(false) });
const Done = z.object({ success: z.boolean(), message: z.string() });
const KeyRefusal = z.object({ error: z.enum(["Missing API key", "Invalid API key"]) });

const API_KEY = { "X-NAP-API-Key": "One of DIALECT_NAP_API_KEYS; required on every NAP path once any is configured" };
const SESSION = { "X-NAP-Session-Token": "The session token (access token) of the session to end" };
const REFRESH = { "X-NAP-Refresh-Token": "The refresh token" };

const common = {
  401: {
    description: "Refused, or X-NAP-API-Key missing or wrong ({error})",
    schema: z.union([ErrorResponse, KeyRefusal]),
  },
  429: { description: "Too many requests (Retry-After)", schema: ErrorResponse },
  500: { description: "Internal Server Error", schema: ErrorResponse },
  503: { description: "Temporarily unavailable", schema: ErrorResponse },
};
const invalid = (description: string) => ({ 400: { description, schema: ErrorResponse } });

export const NAP_OPERATIONS: DialectOperation[] = [
  {
    method: "post",
    path: "/api/auth/signup",
    summary: "User Signup: stored unverified, no tokens, no mail (call verify-email/send next)",
    body: z.object({
      email: z.string(),
      password: z.string().min(8).max(32),
      confirmPassword: z.string(),
      firstName: z.string(),
      lastName: z.string(),
      inviteToken: z.string().optional().describe("Joins the invitation's organization (same address; once)"),
    }),
    headers: API_KEY,
    responses: {
      200: { description: "User Signup Result", schema: z.object({ userId: z.string(), message: z.string() }) },
      ...invalid("Invalid input, passwords that differ or a taken email"),
      ...common,
    },
  },
  {
    method: "post",
    path: "/api/auth/login",
    summary: "User Login (verified accounts without a second factor; several organizations: a flowId)",
    body: z.object({ email: z.string(), password: z.string(), flowReturnTo: z.string().optional() }),
    headers: API_KEY,
    responses: {
      200: {
        description: "User Login Result",
        schema: z.union([
          LoginTokens,
          z.object({ message: z.string(), flowId: z.string(), requireEmailVerification: z.literal(false) }),
        ]),
      },
      ...invalid("Bad Request"),
      403: {
        description: "Email Not Verified (after a correct password)",
        schema: z.object({ message: z.string(), requireEmailVerification: z.literal(true) }),
      },
      ...common,
    },
  },
  {
    method: "get",
    path: "/api/auth/flow/{flowId}",
    summary: "Get User Flow Data",
    headers: API_KEY,
    responses: { 200: { description: "User Flow Data", schema: FlowData }, ...invalid('"Flow not found"'), ...common },
  },
  {
    method: "post",
    path: "/api/auth/flow/{flowId}/org",
    summary: "Choose the organization: tokens scoped to it (once)",
    body: z.object({ orgId: z.string() }),
    headers: API_KEY,
    responses: {
      200: { description: "User Login Result", schema: LoginTokens },
      ...invalid('"Flow not found"'),
      403: { description: "Not a member", schema: ErrorResponse },
      ...common,
    },
  },
  {
    method: "post",
    path: "/api/auth/refresh",
    summary: "Refresh Token: new tokens for the same session; the refresh token rotates",
    headers: { ...API_KEY, ...REFRESH },
    responses: {
      200: { description: "New tokens", schema: z.object({ tokens: Tokens }) },
      ...invalid("No refresh token"),
      ...common,
    },
  },
  {
    method: "post",
    path: "/api/auth/logout",
    summary: "Logout user: ends the session named by the session token and/or the refresh token",
    headers: { ...API_KEY, ...SESSION, ...REFRESH },
    responses: { 200: { description: "Logout result", schema: Done }, ...invalid("Neither token"), ...common },
  },
  {
    method: "post",
    path: "/api/auth/verify-email/send",
    summary: "Send Verification Email: the same answer for every address; the mail holds a single-use link",
    body: z.object({ email: z.string() }),
    headers: API_KEY,
    responses: { 200: { description: "Sent if due", schema: Done }, ...invalid("Invalid Input"), ...common },
  },
  {
    method: "post",
    path: "/api/auth/verify-email/verify",
    summary: "Verify Email Token: the link's token, once",
    body: z.object({ token: z.string() }),
    headers: API_KEY,
    responses: {
      200: { description: "Verified", schema: Done },
      ...invalid("Invalid input, or a token unknown, used or expired"),
      ...common,
    },
  },
];
