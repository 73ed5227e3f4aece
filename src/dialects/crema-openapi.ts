// crema's operations in /openapi.json: the shapes its document shows, at both of its roots.

import * as z from "zod";
import type { DialectOperation } from "./dialect";

const Tokens = z.object({ token: z.string(), refresh_token: z.string() });
const Refusal = z.object({ error: z.string() });
const TokenError = z.object({ msg: z.string() });
const time = z.string().describe('UTC, to the second, without a zone: "2020-09-20T04:58:32"');
const User = z.object({
  created_on: time,
  id: z.string().describe("A UUID string (the origin's was an integer)"),
  email: z.string(),
  email_verified_at: time.nullable(),
  updated_on: time,
  name: z.string(),
});

const limited = { 429: { description: "Too many requests (Retry-After)", schema: Refusal } };

const perRoot = (root: string): DialectOperation[] => [
  {
    method: "post",
    path: `${root}/users`,
    summary: "Register a user; the account signs in at once",
    body: z.object({ name: z.string(), email: z.string(), password: z.string() }),
    responses: {
      200: { description: "Signed up", schema: Tokens },
      400: { description: "Taken or invalid", schema: Refusal },
      ...limited,
    },
  },
  {
    method: "post",
    path: `${root}/auth`,
    summary: "Log in (the document's table names the email field `name`; either is accepted)",
    body: z.object({ email: z.string().optional(), name: z.string().optional(), password: z.string() }),
    responses: {
      200: { description: "Logged in", schema: Tokens },
      400: { description: "Invalid credentials!", schema: Refusal },
      ...limited,
    },
  },
  {
    method: "get",
    path: `${root}/auth`,
    summary: "The signed-in user",
    bearer: true,
    responses: {
      200: { description: "The user", schema: User },
      401: { description: "Token missing, expired or revoked", schema: TokenError },
    },
  },
];

export const CREMA_OPERATIONS: DialectOperation[] = [
  ...perRoot("/api/v1"),
  ...perRoot("/api"),
  {
    method: "post",
    path: "/api/refresh",
    summary: "A new access token for the refresh token sent as Bearer (it does not rotate)",
    bearer: true,
    responses: {
      200: { description: "Refreshed", schema: z.object({ access_token: z.string() }) },
      401: { description: "Refresh token not usable", schema: TokenError },
      ...limited,
    },
  },
  {
    method: "post",
    path: "/api/logout",
    summary: "End the session of the access token sent as Bearer",
    bearer: true,
    responses: {
      200: { description: "Logged out", schema: z.object({ message: z.string() }) },
      401: { description: "Token missing, expired or revoked", schema: TokenError },
      ...limited,
    },
  },
];
