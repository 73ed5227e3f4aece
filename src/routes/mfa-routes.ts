// Second factors: TOTP enrolment and removal, recovery codes, and the MFA step of login.

import { Hono } from "hono";
import { AppError } from "../errors";
import { completeMfaChallenge, type LoginOutcome } from "../services/mfa-service";
import { recoveryCodeFactor } from "../services/recovery-codes";
import {
  confirmTotp,
  disableTotp,
  regenerateRecoveryCodes,
  startTotpEnrolment,
  totpFactor,
} from "../services/totp-service";
import type { AppEnv } from "./http/app-env";
import { requireCaller } from "./http/bearer";
import { readBody } from "./http/body";
import { clientInfo } from "./http/client";
import { gate } from "./http/rate-limit";
import { requestScope } from "./http/request-scope";
import { tokenResponseBody } from "./http/token-transport";
import { LoginMfaBody, RecoveryCodesBody, TotpConfirmBody, TotpDeleteBody } from "./mfa-schemas";

const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };

/** The 200 answer of a first factor that needs a second: a token for POST /v1/login/mfa, no session. */
export function mfaRequiredBody(outcome: Extract<LoginOutcome, { kind: "mfa_required" }>) {
  return {
    mfa_required: true as const,
    mfa_token: outcome.mfaToken,
    methods: outcome.methods,
    expires_in: outcome.expiresIn,
  };
}

export const mfaRoutes = new Hono<AppEnv>();

// Only for the methods each path serves: a wrong method must answer 405 (app.ts), not 401.
mfaRoutes.on(["POST", "DELETE"], "/v1/mfa/totp", requireCaller);
mfaRoutes.post("/v1/mfa/totp/confirm", requireCaller);
mfaRoutes.post("/v1/mfa/recovery-codes", requireCaller);

mfaRoutes.post("/v1/mfa/totp", async (c) => {
  const result = await startTotpEnrolment(c.get("services"), c.get("principal"));
  if (!result.ok) throw new AppError(result.error);
  const { secret, otpauthUri, qrSvg } = result.value;
  return c.json({ secret, otpauth_uri: otpauthUri, qr_svg: qrSvg }, 200, NO_STORE);
});

mfaRoutes.post("/v1/mfa/totp/confirm", gate("second_factor"), async (c) => {
  const { code, password } = await readBody(c, TotpConfirmBody);
  const result = await confirmTotp(
    c.get("services"),
    clientInfo(c),
    c.get("principal"),
    { code, password },
    requestScope(c),
  );
  if (!result.ok) throw new AppError(result.error);
  return c.json({ recovery_codes: result.value.recoveryCodes }, 200, NO_STORE);
});

mfaRoutes.delete("/v1/mfa/totp", gate("second_factor"), async (c) => {
  const body = await readBody(c, TotpDeleteBody);
  const proof = "code" in body ? { code: body.code } : { recoveryCode: body.recovery_code };
  const result = await disableTotp(
    c.get("services"),
    clientInfo(c),
    c.get("principal"),
    { password: body.password, ...proof },
    requestScope(c),
  );
  if (!result.ok) throw new AppError(result.error);
  return c.body(null, 204);
});

mfaRoutes.post("/v1/mfa/recovery-codes", gate("second_factor"), async (c) => {
  const { code } = await readBody(c, RecoveryCodesBody);
  const result = await regenerateRecoveryCodes(c.get("services"), c.get("principal"), code, requestScope(c));
  if (!result.ok) throw new AppError(result.error);
  return c.json({ recovery_codes: result.value.recoveryCodes }, 200, NO_STORE);
});

mfaRoutes.post("/v1/login/mfa", gate("second_factor"), async (c) => {
  const body = await readBody(c, LoginMfaBody);
  const factor = "code" in body ? totpFactor(body.code) : recoveryCodeFactor(body.recovery_code);
  const result = await completeMfaChallenge(c.get("services"), body.mfa_token, factor, clientInfo(c), requestScope(c));
  if (!result.ok) throw new AppError(result.error);
  return c.json(tokenResponseBody(c, result.value.tokens), 200, NO_STORE);
});
