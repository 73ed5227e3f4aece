// Request and response schemas of second factors (TOTP, recovery codes, the MFA step of login).

import * as z from "zod";
import { MFA_METHODS } from "../services/mfa-service";
import { SignInFlowStarted } from "./flow-login-schema";
import { SignupResponse, TokenResponse } from "./schemas";

const mfaToken = z.string().min(1).max(128).meta({ description: "The mfa_token a login answered." });
const totpCode = z
  .string()
  .min(1)
  .max(16)
  .meta({ description: "The 6-digit code the authenticator app shows.", examples: ["492039"] });
const recoveryCode = z
  .string()
  .min(1)
  .max(32)
  .meta({ description: "One of the recovery codes; each works once.", examples: ["k7qm-2xra-vd4p"] });
const password = z.string().max(1024);

/**
 * The password too: a stolen access token alone must not put a second factor on someone's account.
 * Optional only for an account without one (a social sign-in's), which re-authenticates by a recent
 * sign-in instead (src/services/reauthentication.ts); an account with a password is refused without it.
 */
export const TotpConfirmBody = z
  .strictObject({ code: totpCode, password: password.optional() })
  .meta({ id: "TotpConfirmRequest" });

export const TotpDeleteBody = z
  .union([
    z.strictObject({ password: password.optional(), code: totpCode }),
    z.strictObject({ password: password.optional(), recovery_code: recoveryCode }),
  ])
  .meta({ id: "TotpDeleteRequest" });

export const RecoveryCodesBody = z.strictObject({ code: totpCode }).meta({ id: "RecoveryCodesRequest" });

export const LoginMfaBody = z
  .union([
    z.strictObject({ mfa_token: mfaToken, code: totpCode }),
    z.strictObject({ mfa_token: mfaToken, recovery_code: recoveryCode }),
  ])
  .meta({ id: "LoginMfaRequest" });

export const TotpEnrolment = z
  .object({
    secret: z.string().meta({ description: "160-bit secret, base32 without padding, for manual entry." }),
    otpauth_uri: z.string(),
    qr_svg: z.string().meta({ description: "The otpauth URI as an SVG QR code." }),
  })
  .meta({ id: "TotpEnrolment" });

export const RecoveryCodes = z
  .object({ recovery_codes: z.array(z.string()).meta({ description: "Ten codes, shown only now." }) })
  .meta({ id: "RecoveryCodes" });

export const MfaRequired = z
  .object({
    mfa_required: z.literal(true),
    mfa_token: z.string(),
    methods: z.array(z.enum(MFA_METHODS)),
    expires_in: z.number().int().meta({ description: "Seconds the mfa_token stays usable." }),
  })
  .meta({
    id: "MfaRequired",
    description:
      "The password was right; finish with POST /v1/login/mfa (TOTP or recovery code) or POST /v1/login/mfa/sms.",
  });

export const LoginResponse = z.union([TokenResponse, MfaRequired, SignInFlowStarted]).meta({ id: "LoginResponse" });

export const EmailVerifyResponse = z.union([SignupResponse, MfaRequired]).meta({ id: "EmailVerifyResponse" });
