// Request and response schemas of the mail flows (verification, reset, change). Strict, like all.

import * as z from "zod";

const otpRequestId = z.uuid().meta({ description: "The otp_request_id an earlier answer gave." });
const code = z
  .string()
  .min(1)
  .max(16)
  .meta({ examples: ["042917"] });
const linkToken = z.string().min(1).max(64).meta({ description: "The token from a mail link's query." });
const password = z.string().max(1024);
const email = z.string().max(320);

export const EmailVerifyBody = z
  .union([z.strictObject({ otp_request_id: otpRequestId, code }), z.strictObject({ token: linkToken })])
  .meta({ id: "EmailVerifyRequest" });

export const EmailResendBody = z.strictObject({ email }).meta({ id: "EmailResendRequest" });

export const PasswordForgotBody = z.strictObject({ email }).meta({ id: "PasswordForgotRequest" });

export const PasswordResetBody = z
  .union([
    z.strictObject({ otp_request_id: otpRequestId, code, new_password: password }),
    z.strictObject({ token: linkToken, new_password: password }),
  ])
  .meta({ id: "PasswordResetRequest" });

export const PasswordChangeBody = z
  .strictObject({ current_password: password, new_password: password })
  .meta({ id: "PasswordChangeRequest" });

export const EmailChangeBody = z.strictObject({ new_email: email, password }).meta({ id: "EmailChangeRequest" });

export const OtpRequestAnswer = z.object({ otp_request_id: z.string() }).meta({ id: "OtpRequestAnswer" });
