// Request and response schemas of the phone endpoints. Strict, like all; openapi.ts imports this file
// so each `.meta({ id })` lands in the document.

import * as z from "zod";

export const PhoneBody = z
  .strictObject({
    phone: z
      .string()
      .max(32)
      .meta({
        description: "E.164: + and 8 to 15 digits, no leading 0. Spaces, dots, dashes and parentheses are ignored.",
        examples: ["+14155552671"],
      }),
  })
  .meta({ id: "PhoneRequest" });

export const PhoneVerifyBody = z
  .strictObject({
    otp_request_id: z.uuid().meta({ description: "The otp_request_id POST /v1/phone answered." }),
    code: z
      .string()
      .min(1)
      .max(16)
      .meta({ examples: ["042917"] }),
  })
  .meta({ id: "PhoneVerifyRequest" });

const mfaToken = z.string().min(1).max(128).meta({ description: "The mfa_token a login answered." });

export const SmsMfaChangeBody = z.strictObject({ password: z.string().max(1024) }).meta({ id: "SmsMfaChangeRequest" });

export const LoginMfaSmsSendBody = z.strictObject({ mfa_token: mfaToken }).meta({ id: "LoginMfaSmsSendRequest" });

export const LoginMfaSmsBody = z
  .strictObject({
    mfa_token: mfaToken,
    code: z
      .string()
      .min(1)
      .max(16)
      .meta({ description: "The code texted by POST /v1/login/mfa/sms/send.", examples: ["042917"] }),
  })
  .meta({ id: "LoginMfaSmsRequest" });

export const SmsCodeSent = z
  .object({ phone_hint: z.string().meta({ description: "The number the code went to, all but 2 digits masked." }) })
  .meta({ id: "SmsCodeSent" });
