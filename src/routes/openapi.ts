// The OpenAPI 3.1 document, generated from the schemas in schemas.ts that also validate requests.

import { createRoute, OpenAPIHono, type z } from "@hono/zod-openapi";
import {
  DeleteAccountBody,
  Introspection,
  LoginBody,
  LogoutBody,
  Problem,
  ProfilePatchBody,
  RefreshBody,
  SessionList,
  SignupBody,
  SignupResponse,
  TokenResponse,
  User,
  VerifyBody,
} from "./schemas";

type Method = "get" | "post" | "patch" | "delete";

const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: Problem } },
});

const bodyOf = (schema: z.ZodType, required = true) => ({
  required,
  content: {
    "application/json": { schema },
    "application/x-www-form-urlencoded": { schema },
  },
});

const json = (description: string, schema: z.ZodType) => ({ description, content: { "application/json": { schema } } });

const bearer = [{ bearerAuth: [] }];

interface Operation {
  method: Method;
  path: string;
  summary: string;
  body?: z.ZodType;
  optionalBody?: boolean;
  ok: Record<string, unknown>;
  secured?: boolean;
}

const OPERATIONS: Operation[] = [
  {
    method: "post",
    path: "/v1/signup",
    summary: "Create an account and a session",
    body: SignupBody,
    ok: { 201: json("Created", SignupResponse), 409: problem("Email or username taken") },
  },
  {
    method: "post",
    path: "/v1/login",
    summary: "Log in with email or username and password",
    body: LoginBody,
    ok: { 200: json("Tokens", TokenResponse), 401: problem("invalid_credentials") },
  },
  {
    method: "post",
    path: "/v1/token/refresh",
    summary: "Rotate a refresh token for a new pair",
    body: RefreshBody,
    optionalBody: true,
    ok: { 200: json("Tokens", TokenResponse), 401: problem("invalid_refresh_token") },
  },
  {
    method: "post",
    path: "/v1/token/verify",
    summary: "Introspect an access token (RFC 7662 style)",
    body: VerifyBody,
    ok: { 200: json("Introspection", Introspection) },
  },
  {
    method: "post",
    path: "/v1/logout",
    summary: "End the current session",
    body: LogoutBody,
    optionalBody: true,
    ok: { 204: { description: "Logged out" } },
  },
  { method: "get", path: "/v1/me", summary: "The signed-in user", secured: true, ok: { 200: json("User", User) } },
  {
    method: "patch",
    path: "/v1/me",
    summary: "Change profile fields",
    secured: true,
    body: ProfilePatchBody,
    ok: { 200: json("User", User) },
  },
  {
    method: "delete",
    path: "/v1/me",
    summary: "Delete the account (needs the password)",
    secured: true,
    body: DeleteAccountBody,
    ok: { 204: { description: "Deleted" } },
  },
  {
    method: "get",
    path: "/v1/sessions",
    summary: "The user's live sessions",
    secured: true,
    ok: { 200: json("Sessions", SessionList) },
  },
  {
    method: "delete",
    path: "/v1/sessions",
    summary: "Revoke every session of the user",
    secured: true,
    ok: { 204: { description: "Revoked" } },
  },
  {
    method: "delete",
    path: "/v1/sessions/{id}",
    summary: "Revoke one session",
    secured: true,
    ok: { 204: { description: "Revoked" }, 404: problem("session_not_found") },
  },
];

export function buildOpenApiDocument(serverUrl: string) {
  const app = new OpenAPIHono();
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
  });
  for (const operation of OPERATIONS) {
    const route = createRoute({
      method: operation.method,
      path: operation.path,
      summary: operation.summary,
      ...(operation.secured ? { security: bearer } : {}),
      ...(operation.body ? { request: { body: bodyOf(operation.body, !operation.optionalBody) } } : {}),
      responses: { ...operation.ok, 400: problem("Invalid request"), 429: problem("Rate limited") },
    });
    app.openAPIRegistry.registerPath(route);
  }
  return app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: { title: "edge-auth", version: "1.0.0", description: "Authentication service on Cloudflare Workers." },
    servers: [{ url: serverUrl }],
  });
}
