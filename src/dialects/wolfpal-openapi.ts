// wolfpal's operations in /openapi.json: the shapes its document shows (and its origin answered for
// failures), each request as JSON or a form.

import * as z from "zod";
import type { DialectOperation } from "./dialect";

const VALIDATION_CODE = z.enum(["REQUIRED", "INVALID", "NOT_LONG_ENOUGH", "INVALID_CHARACTERS"]);

const Refusal = z.object({
  code: z.string().describe("SCREAMING_SNAKE_CASE, e.g. INVALID_CREDENTIALS, ALREADY_EXISTS, TOO_MANY_REQUESTS"),
  error: z.string(),
});
const Validation = z
  .object({ codes: z.record(z.string(), VALIDATION_CODE), errors: z.record(z.string(), z.string()) })
  .describe("One entry per refused field, in both maps");
const Tokens = z.object({
  access_token: z.string().describe("ES256 JWT (at+jwt)"),
  refresh_token: z.string().describe("Opaque; rotates on every refresh"),
});
const Status = (code: string) => z.object({ code: z.literal(code), error: z.string() });

const invalid = { 400: { description: "Validation failed", schema: z.union([Validation, Refusal]) } };
const limited = { 429: { description: "Too many requests (Retry-After)", schema: Refusal } };
const outage = { 503: { description: "Storage or mail unavailable", schema: Refusal } };

export const WOLFPAL_OPERATIONS: DialectOperation[] = [
  {
    method: "post",
    path: "/auth/register",
    summary: "Register an account; a confirmation mail (code and link) is sent",
    body: z.object({
      username: z.string().describe("3 to 28 letters or digits"),
      email: z.string(),
      password: z.string(),
    }),
    responses: {
      201: { description: "Registered, pending confirmation", schema: Status("PENDING_CONFIRMATION") },
      ...invalid,
      409: { description: "The username or email is taken", schema: Status("ALREADY_EXISTS") },
      ...limited,
      ...outage,
    },
  },
  {
    method: "post",
    path: "/auth/login",
    summary: "Log in; an account with a second factor answers a token for /auth/two-factor instead",
    body: z.object({ email: z.string(), password: z.string() }),
    responses: {
      200: {
        description: "Logged in, or a second factor is required",
        schema: z.union([
          Tokens.extend({ twoFactor: z.literal(false) }),
          Status("TWO_FACTOR_REQUIRED").extend({
            token: z.string().describe("For /auth/two-factor; single use, 5 minutes"),
            twoFactor: z.literal(true),
          }),
        ]),
      },
      400: {
        description: "INVALID_CREDENTIALS (unknown address and wrong password alike), or validation",
        schema: z.union([Refusal, Validation]),
      },
      403: {
        description: "PENDING_CONFIRMATION (only with DIALECT_WOLFPAL_UNCONFIRMED_LOGIN=false)",
        schema: Refusal,
      },
      ...limited,
    },
  },
  {
    method: "post",
    path: "/auth/two-factor",
    summary: "Finish a login with the authenticator's code or a recovery code",
    body: z.object({ token: z.string(), code: z.string().describe("6-digit TOTP code, or a recovery code") }),
    responses: {
      200: { description: "Logged in", schema: Tokens.extend({ twoFactor: z.literal(true) }) },
      400: {
        description: "INVALID_TWO_FACTOR_TOKEN (unknown, used, expired or out of attempts), or validation",
        schema: z.union([Refusal, Validation]),
      },
      401: { description: "Wrong code (counted)", schema: Status("INVALID_TWO_FACTOR_CODE") },
      429: { description: "TWO_FACTOR_LOCKED or TOO_MANY_REQUESTS (Retry-After)", schema: Refusal },
    },
  },
  {
    method: "post",
    path: "/auth/refresh",
    summary: "A new token pair for the refresh token (which rotates)",
    body: z.object({ refresh_token: z.string() }),
    responses: {
      200: { description: "Refreshed", schema: Tokens },
      ...invalid,
      401: { description: "Refresh token not usable", schema: Status("INVALID_REFRESH_TOKEN") },
      ...limited,
    },
  },
  {
    method: "post",
    path: "/auth/logout",
    summary: "End the session of the access token sent as Bearer (no body)",
    bearer: true,
    responses: {
      200: { description: "Logged out", schema: Status("LOGGED_OUT") },
      401: {
        description: "UNAUTHORIZED (no token), INVALID_TOKEN, TOKEN_EXPIRED or TOKEN_REVOKED",
        schema: Refusal,
      },
      ...limited,
    },
  },
];
