// The OpenAPI 3.1 document, generated from the zod schemas in schemas.ts that also validate
// requests (OpenAPI 3.1 schemas are JSON Schema 2020-12, which zod emits natively).

import * as z from "zod";
import { ADMIN_EXPORT_OPERATIONS } from "./admin-export-openapi";
import { ADMIN_IMPORT_OPERATIONS } from "./admin-import-openapi";
import { ADMIN_OPERATIONS } from "./admin-openapi";
import {
  API_KEY_OPERATIONS,
  API_KEY_SECURITY,
  API_KEY_SECURITY_SCHEMES,
  ORG_API_KEY_OPERATIONS,
} from "./api-key-openapi";
import { OAUTH_OPERATIONS } from "./oauth-openapi";
import "./mail-flow-schemas";
import "./mfa-schemas";
import { FLOW_OPERATIONS } from "./flow-openapi";
import { ORG_DOMAIN_OPERATIONS } from "./org-domain-openapi";
import { ORG_OPERATIONS } from "./org-openapi";
import "./phone-schemas";
import "./schemas";
import { SECURITY_EVENT_OPERATIONS } from "./security-event-openapi";

type Method = "get" | "post" | "patch" | "delete";

export interface Operation {
  method: Method;
  path: string;
  summary: string;
  /** `id` of the request body schema in schemas.ts; "?" suffix when the body is optional. */
  body?: string;
  responses: Record<number, string | null>;
  secured?: boolean;
  /** Security requirements other than the bearer session (`{}` in the list: also without any). */
  security?: Record<string, string[]>[];
  /** OpenAPI parameter objects (query parameters) beside the `{id}` path parameter. */
  parameters?: Record<string, unknown>[];
}

const OPERATIONS: Operation[] = [
  {
    method: "post",
    path: "/v1/signup",
    summary: "Create an account and a session",
    body: "SignupRequest",
    responses: { 201: "SignupResponse", 409: "Problem" },
  },
  {
    method: "post",
    path: "/v1/login",
    summary: "Log in with email or username and password (answers an MFA challenge when the account has one)",
    body: "LoginRequest",
    responses: { 200: "LoginResponse", 401: "Problem" },
  },
  {
    method: "post",
    path: "/v1/login/mfa",
    summary: "Finish a login with a TOTP code or a recovery code",
    body: "LoginMfaRequest",
    responses: { 200: "TokenResponse", 401: "Problem" },
  },
  {
    method: "post",
    path: "/v1/mfa/totp",
    summary: "Start TOTP enrolment: a new secret, its otpauth URI and QR code",
    secured: true,
    responses: { 200: "TotpEnrolment", 409: "Problem" },
  },
  {
    method: "post",
    path: "/v1/mfa/totp/confirm",
    summary: "Turn TOTP on with a first code and the password; answers ten recovery codes, shown once",
    secured: true,
    body: "TotpConfirmRequest",
    responses: { 200: "RecoveryCodes", 401: "Problem", 404: "Problem", 409: "Problem" },
  },
  {
    method: "delete",
    path: "/v1/mfa/totp",
    summary: "Turn TOTP off (needs the password and a current code or a recovery code)",
    secured: true,
    body: "TotpDeleteRequest",
    responses: { 204: null, 404: "Problem" },
  },
  {
    method: "post",
    path: "/v1/mfa/recovery-codes",
    summary: "Replace the recovery codes (needs a current TOTP code); the old ones stop working",
    secured: true,
    body: "RecoveryCodesRequest",
    responses: { 200: "RecoveryCodes", 404: "Problem" },
  },
  {
    method: "post",
    path: "/v1/token/refresh",
    summary: "Rotate a refresh token for a new pair",
    body: "RefreshRequest?",
    responses: { 200: "TokenResponse", 401: "Problem" },
  },
  {
    method: "post",
    path: "/v1/token/verify",
    summary: "Introspect an access token (RFC 7662 style); an API key, if sent, must hold `verify`",
    body: "VerifyRequest",
    security: [{}, ...API_KEY_SECURITY],
    responses: { 200: "Introspection" },
  },
  {
    method: "post",
    path: "/v1/email/verify",
    summary: "Verify an address (or confirm an email change) with a code or a mail link's token",
    body: "EmailVerifyRequest",
    responses: { 200: "EmailVerifyResponse", 400: "Problem" },
  },
  {
    method: "post",
    path: "/v1/email/verify/resend",
    summary: "Send a new verification code (same answer for any address)",
    body: "EmailResendRequest",
    responses: { 202: "OtpRequestAnswer", 503: "Problem" },
  },
  {
    method: "post",
    path: "/v1/password/forgot",
    summary: "Mail a reset code and link (same answer and timing for any address)",
    body: "PasswordForgotRequest",
    responses: { 202: "OtpRequestAnswer" },
  },
  {
    method: "post",
    path: "/v1/password/reset",
    summary: "Set a new password with a reset code or link token; ends every session",
    body: "PasswordResetRequest",
    responses: { 204: null },
  },
  {
    method: "post",
    path: "/v1/password/change",
    summary: "Change the password; ends the other sessions",
    secured: true,
    body: "PasswordChangeRequest",
    responses: { 204: null },
  },
  {
    method: "post",
    path: "/v1/email/change",
    summary: "Start an email change: a code goes to the new address",
    secured: true,
    body: "EmailChangeRequest",
    responses: { 202: "OtpRequestAnswer", 503: "Problem" },
  },
  {
    method: "post",
    path: "/v1/logout",
    summary: "End the session of the presented tokens",
    body: "LogoutRequest?",
    responses: { 204: null, 401: "Problem" },
  },
  {
    method: "post",
    path: "/v1/phone",
    summary: "Set the phone number (unverified until its code comes back) and text it a code",
    secured: true,
    body: "PhoneRequest",
    responses: { 202: "OtpRequestAnswer", 409: "Problem", 503: "Problem" },
  },
  {
    method: "post",
    path: "/v1/phone/verify",
    summary: "Verify the phone number with the code texted to it",
    secured: true,
    body: "PhoneVerifyRequest",
    responses: { 200: "User" },
  },
  {
    method: "post",
    path: "/v1/mfa/sms",
    summary: "Turn on SMS codes as a second factor (needs the password and a verified phone number)",
    secured: true,
    body: "SmsMfaChangeRequest",
    responses: { 204: null, 403: "Problem" },
  },
  {
    method: "delete",
    path: "/v1/mfa/sms",
    summary: "Turn off SMS codes as a second factor (needs the password)",
    secured: true,
    body: "SmsMfaChangeRequest",
    responses: { 204: null },
  },
  {
    method: "post",
    path: "/v1/login/mfa/sms/send",
    summary: "Text a code to the verified number of a login waiting for its second factor",
    body: "LoginMfaSmsSendRequest",
    responses: { 202: "SmsCodeSent", 401: "Problem", 503: "Problem" },
  },
  {
    method: "post",
    path: "/v1/login/mfa/sms",
    summary: "Finish a login with the texted code",
    body: "LoginMfaSmsRequest",
    responses: { 200: "TokenResponse", 401: "Problem" },
  },
  {
    method: "get",
    path: "/v1/me",
    summary: "The signed-in user, with their linked external identities",
    secured: true,
    responses: { 200: "Me" },
  },
  {
    method: "patch",
    path: "/v1/me",
    summary: "Change profile fields",
    secured: true,
    body: "ProfilePatchRequest",
    responses: { 200: "User", 409: "Problem" },
  },
  {
    method: "delete",
    path: "/v1/me",
    summary: "Delete the account (needs the password)",
    secured: true,
    body: "DeleteAccountRequest",
    responses: { 204: null },
  },
  {
    method: "get",
    path: "/v1/sessions",
    summary: "The user's live sessions",
    secured: true,
    responses: { 200: "SessionList" },
  },
  {
    method: "delete",
    path: "/v1/sessions",
    summary: "Revoke every session of the user",
    secured: true,
    responses: { 204: null },
  },
  {
    method: "delete",
    path: "/v1/sessions/{id}",
    summary: "Revoke one session",
    secured: true,
    responses: { 204: null, 404: "Problem" },
  },
  ...API_KEY_OPERATIONS,
  ...ADMIN_OPERATIONS,
  ...ADMIN_EXPORT_OPERATIONS,
  ...ADMIN_IMPORT_OPERATIONS,
  ...SECURITY_EVENT_OPERATIONS,
  ...OAUTH_OPERATIONS,
  ...ORG_OPERATIONS,
  ...ORG_DOMAIN_OPERATIONS,
  ...ORG_API_KEY_OPERATIONS,
  ...FLOW_OPERATIONS,
];

const ref = (id: string) => ({ $ref: `#/components/schemas/${id}` });

function operationObject(operation: Operation) {
  const responses: Record<string, unknown> = {};
  const all = { 400: "Problem", 429: "Problem", ...operation.responses };
  for (const [status, id] of Object.entries(all)) {
    const mediaType = id === "Problem" ? "application/problem+json" : "application/json";
    responses[status] = {
      description: id ?? "No content",
      ...(id ? { content: { [mediaType]: { schema: ref(id) } } } : {}),
    };
  }
  if (operation.secured)
    responses[401] = {
      description: "invalid_token",
      content: { "application/problem+json": { schema: ref("Problem") } },
    };
  const body = operation.body?.replace(/\?$/, "");
  return {
    tags: ["v1"],
    summary: operation.summary,
    ...(operation.secured ? { security: [{ bearerAuth: [] }] } : {}),
    ...(operation.security ? { security: operation.security } : {}),
    ...(operation.path.includes("{id}")
      ? { parameters: [{ name: "id", in: "path", required: true, schema: { type: "string", format: "uuid" } }] }
      : {}),
    ...(operation.parameters ? { parameters: operation.parameters } : {}),
    ...(body
      ? {
          requestBody: {
            required: !operation.body?.endsWith("?"),
            content: {
              "application/json": { schema: ref(body) },
              "application/x-www-form-urlencoded": { schema: ref(body) },
            },
          },
        }
      : {}),
    responses,
  };
}

/** Further paths (the mounted dialects'), each under one of `tags`. */
export interface ExtraOperations {
  paths: Record<string, Record<string, unknown>>;
  tags: { name: string; description: string }[];
}

export function buildOpenApiDocument(serverUrl: string, extra: ExtraOperations = { paths: {}, tags: [] }) {
  const { schemas } = z.toJSONSchema(z.globalRegistry, {
    target: "draft-2020-12",
    io: "input",
    uri: (id) => `#/components/schemas/${id}`,
  });
  // zod writes "$id": "#/components/schemas/X" and "$schema" into each schema; a fragment-only $id is
  // not a valid base URI, and OpenAPI tooling (Swagger UI's resolver) then fails to resolve $refs.
  for (const schema of Object.values(schemas)) {
    delete (schema as Record<string, unknown>).$id;
    delete (schema as Record<string, unknown>).$schema;
  }
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of OPERATIONS) {
    paths[operation.path] = { ...paths[operation.path], [operation.method]: operationObject(operation) };
  }
  Object.assign(paths, extra.paths);
  return {
    openapi: "3.1.0",
    info: { title: "edge-auth", version: "1.0.0", description: "Authentication service on Cloudflare Workers." },
    servers: [{ url: serverUrl }],
    tags: [{ name: "v1", description: "The native API." }, ...extra.tags],
    paths,
    components: {
      schemas,
      securitySchemes: {
        bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" },
        ...API_KEY_SECURITY_SCHEMES,
      },
    },
  };
}
