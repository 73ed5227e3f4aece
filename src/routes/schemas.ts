// Request and response schemas. The same objects validate requests and generate /openapi.json.
// Every request object is strict: a field we do not know is refused, never silently stored.

import * as z from "zod";
import { MAX_REFRESH_TOKEN_LENGTH } from "../services/input-limits";

const text = (max: number) => z.string().trim().min(1).max(max);
const nullableText = (max: number) => text(max).nullable();

export const ProfileFields = {
  name: text(100)
    .optional()
    .meta({ examples: ["Ada Lovelace"] }),
  username: z
    .string()
    .min(3)
    .max(32)
    .optional()
    .meta({ examples: ["ada"] }),
  first_name: text(100).optional(),
  last_name: text(100).optional(),
  phone: z
    .string()
    .regex(/^\+?[0-9 ().-]{3,32}$/, "is not a phone number")
    .optional(),
  address: text(500).optional(),
};

export const SignupBody = z
  .strictObject({
    email: z
      .string()
      .max(320)
      .meta({ examples: ["ada@example.com"] }),
    password: z
      .string()
      .max(1024)
      .meta({ examples: ["correct horse battery staple"] }),
    ...ProfileFields,
    invite_token: z
      .string()
      .min(1)
      .max(128)
      .optional()
      .meta({ description: "An organization's mailed invitation: the account starts verified and a member." }),
  })
  .meta({ id: "SignupRequest" });

export const LoginBody = z
  .union([
    z.strictObject({ email: z.string().max(320), password: z.string().max(1024) }),
    z.strictObject({ username: z.string().max(64), password: z.string().max(1024) }),
  ])
  .meta({ id: "LoginRequest" });

export const RefreshBody = z
  .strictObject({ refresh_token: z.string().max(MAX_REFRESH_TOKEN_LENGTH).optional() })
  .meta({ id: "RefreshRequest" });

/** 8192 matches the longest token the verifier reads; a longer one is refused as a field, not a body. */
export const VerifyBody = z.strictObject({ token: z.string().max(8192) }).meta({ id: "VerifyRequest" });

export const LogoutBody = z
  .strictObject({ refresh_token: z.string().max(MAX_REFRESH_TOKEN_LENGTH).optional() })
  .meta({ id: "LogoutRequest" });

export const ProfilePatchBody = z
  .strictObject({
    name: nullableText(100).optional(),
    username: z.string().min(3).max(32).nullable().optional(),
    first_name: nullableText(100).optional(),
    last_name: nullableText(100).optional(),
    phone: ProfileFields.phone.unwrap().nullable().optional(),
    address: nullableText(500).optional(),
  })
  .refine((body) => Object.keys(body).length > 0, "must change at least one field")
  .meta({ id: "ProfilePatchRequest" });

/** The password; an account without one (a social sign-in's) re-authenticates by a recent sign-in. */
export const DeleteAccountBody = z
  .strictObject({ password: z.string().max(1024).optional() })
  .meta({ id: "DeleteAccountRequest" });

export const SessionIdParam = z.object({ id: z.string().uuid() });

export const User = z
  .object({
    id: z.string(),
    email: z.string(),
    email_verified: z.boolean(),
    username: z.string().nullable(),
    name: z.string().nullable(),
    first_name: z.string().nullable(),
    last_name: z.string().nullable(),
    phone: z.string().nullable(),
    phone_verified: z.boolean(),
    address: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: "User" });

export const TokenResponse = z
  .object({
    access_token: z.string(),
    token_type: z.literal("Bearer"),
    expires_in: z.number().int(),
    refresh_token: z.string().optional().meta({ description: "Absent in cookie mode." }),
  })
  .meta({ id: "TokenResponse" });

export const SignupResponse = z.object({ user: User }).extend(TokenResponse.shape).meta({ id: "SignupResponse" });

export const Introspection = z
  .object({ active: z.boolean() })
  .catchall(z.unknown())
  .meta({ id: "Introspection", description: "RFC 7662 style: `active` plus the token's claims when active." });

export const Session = z
  .object({
    id: z.string(),
    created_at: z.string(),
    last_used_at: z.string(),
    user_agent: z.string().nullable(),
    ip: z.string().nullable(),
    current: z.boolean(),
  })
  .meta({ id: "Session" });

export const SessionList = z.object({ sessions: z.array(Session) }).meta({ id: "SessionList" });

export const Problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string(),
    detail: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
  })
  .meta({ id: "Problem" });
