// Email verification, password reset and change, email change: parse, call a service, map to HTTP.

import { Hono } from "hono";
import { AppError } from "../errors";
import { requestEmailChange } from "../services/email-change-service";
import { resendVerificationCode, verifyEmail } from "../services/email-verification-service";
import type { Redemption } from "../services/one-time-codes";
import { changePassword, requestPasswordReset, resetPassword } from "../services/password-service";
import type { AppEnv } from "./http/app-env";
import { requireCaller } from "./http/bearer";
import { readBody } from "./http/body";
import { clientInfo } from "./http/client";
import { gate } from "./http/rate-limit";
import { requestScope } from "./http/request-scope";
import { tokenResponseBody } from "./http/token-transport";
import {
  EmailChangeBody,
  EmailResendBody,
  EmailVerifyBody,
  PasswordChangeBody,
  PasswordForgotBody,
  PasswordResetBody,
} from "./mail-flow-schemas";
import { mfaRequiredBody } from "./mfa-routes";
import { toPublicUser } from "./views";

const NO_STORE = { "Cache-Control": "no-store" };

const toRedemption = (body: { otp_request_id: string; code: string } | { token: string }): Redemption =>
  "token" in body ? { token: body.token } : { requestId: body.otp_request_id, code: body.code };

export const mailFlowRoutes = new Hono<AppEnv>();

mailFlowRoutes.post("/v1/email/verify", gate("redeem_code"), async (c) => {
  const body = await readBody(c, EmailVerifyBody);
  const result = await verifyEmail(c.get("services"), toRedemption(body), clientInfo(c), requestScope(c));
  if (!result.ok) throw new AppError(result.error);
  const outcome = result.value;
  const user = toPublicUser(outcome.user);
  if (outcome.kind === "email_changed") return c.json({ user }, 200, NO_STORE);
  if (outcome.kind === "mfa_required") return c.json(mfaRequiredBody(outcome), 200, NO_STORE);
  return c.json({ user, ...tokenResponseBody(c, outcome.tokens) }, 200, NO_STORE);
});

mailFlowRoutes.post("/v1/email/verify/resend", gate("resend_verification"), async (c) => {
  const { email } = await readBody(c, EmailResendBody);
  const result = await resendVerificationCode(c.get("services"), requestScope(c), email);
  if (!result.ok) throw new AppError(result.error);
  return c.json({ otp_request_id: result.value.requestId }, 202, NO_STORE);
});

mailFlowRoutes.post("/v1/password/forgot", gate("request_password_reset"), async (c) => {
  const { email } = await readBody(c, PasswordForgotBody);
  const result = await requestPasswordReset(c.get("services"), requestScope(c), email);
  if (!result.ok) throw new AppError(result.error);
  return c.json({ otp_request_id: result.value.requestId }, 202, NO_STORE);
});

mailFlowRoutes.post("/v1/password/reset", gate("redeem_code"), async (c) => {
  const { new_password, ...rest } = await readBody(c, PasswordResetBody);
  const result = await resetPassword(c.get("services"), requestScope(c), toRedemption(rest), new_password);
  if (!result.ok) throw new AppError(result.error);
  return c.body(null, 204);
});

mailFlowRoutes.post("/v1/password/change", requireCaller, async (c) => {
  const body = await readBody(c, PasswordChangeBody);
  const input = { currentPassword: body.current_password, newPassword: body.new_password };
  const result = await changePassword(c.get("services"), requestScope(c), clientInfo(c), c.get("principal"), input);
  if (!result.ok) throw new AppError(result.error);
  return c.body(null, 204);
});

mailFlowRoutes.post("/v1/email/change", requireCaller, async (c) => {
  const body = await readBody(c, EmailChangeBody);
  const input = { newEmail: body.new_email, password: body.password };
  const result = await requestEmailChange(c.get("services"), requestScope(c), clientInfo(c), c.get("principal"), input);
  if (!result.ok) throw new AppError(result.error);
  return c.json({ otp_request_id: result.value.requestId }, 202, NO_STORE);
});
