// Bookings' request bodies, read as Django REST Framework's serializers read them, with its own
// sentences for each problem. Not strict: old clients send extras, which are dropped and never stored.
// Where the document and simplejwt spell a field differently, both are accepted.

import * as z from "zod";
import { normalizePhoneNumber } from "../services/phone-service";

const REQUIRED = "This field is required.";
const BLANK = "This field may not be blank.";
/** Longer than any token the core issues; a longer one is refused as a field before any work. */
const MAX_TOKEN = 8192;

/** DRF's CharField: a string (never null), at most `max` characters. */
const text = (max: number) =>
  z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? REQUIRED
          : issue.input === null
            ? "This field may not be null."
            : "Not a valid string.",
    })
    .max(max, `Ensure this field has no more than ${max} characters.`);

const filled = (max: number) => text(max).trim().min(1, BLANK);
const secret = (max: number) => text(max).min(1, BLANK);

/** DRF's CharField takes a number too and reads it as its digits (a client may send the OTP as one). */
const otp = z.preprocess(
  (value) => (typeof value === "number" && Number.isSafeInteger(value) && value >= 0 ? String(value) : value),
  filled(32),
);

const phone = filled(32).transform((raw, context) => {
  const number = normalizePhoneNumber(raw);
  if (number) return number;
  context.addIssue({ code: "custom", message: "Enter a valid phone number.", input: raw });
  return z.NEVER;
});

export const RegisterFields = z.object({
  first_name: filled(100),
  last_name: filled(100),
  // Optional, and blank counts as absent.
  address: text(500)
    .trim()
    .optional()
    .transform((value) => value || undefined),
  email: filled(320),
  phone_no: phone,
  // The document lists none: without it the account sets one through the mailed code.
  password: secret(1024).optional(),
});

/** simplejwt's TokenObtainPairSerializer; the document's optional `phone_number` is read and ignored. */
export const LoginFields = z.object({ email: filled(320), password: secret(1024) });

/** One token under either of two names; neither sent is reported under `report`. */
const eitherToken = (names: readonly [string, string], report: string) =>
  z
    .object({ [names[0]]: secret(MAX_TOKEN).optional(), [names[1]]: secret(MAX_TOKEN).optional() })
    .transform((fields, context) => {
      const token = fields[names[0]] ?? fields[names[1]];
      if (token !== undefined) return token;
      context.addIssue({ code: "custom", message: REQUIRED, path: [report], input: fields });
      return z.NEVER;
    });

/** The document's `refresh_token`, and simplejwt's own `refresh`. */
export const RefreshFields = eitherToken(["refresh", "refresh_token"], "refresh");
/** The document's `access_token`, and simplejwt's own `token`. */
export const VerifyFields = eitherToken(["token", "access_token"], "token");

export const ResetRequestFields = z.object({ email: filled(320) });
export const CodeFields = z.object({ email: filled(320), otp });

/** `{token, password}` after verify, or `{email, otp, password}` in one step. */
export const ConfirmFields = z
  .object({
    token: secret(MAX_TOKEN).optional(),
    email: filled(320).optional(),
    otp: otp.optional(),
    password: secret(1024),
  })
  .transform(({ token, email, otp: code, password }, context) => {
    if (token !== undefined) return { token, password };
    if (email !== undefined && code !== undefined) return { email, code, password };
    const missing = email === undefined && code === undefined ? "token" : email === undefined ? "email" : "otp";
    context.addIssue({ code: "custom", message: REQUIRED, path: [missing], input: undefined });
    return z.NEVER;
  });

/** /auth/social/google-oauth2: a Google code from the popup, or an ID token. */
export const SocialFields = z.object({ access_code: secret(MAX_TOKEN) });
