// SMS as a second factor: turning it on and off, and the SMS step of a login's MFA challenge.

import { Hono } from "hono";
import { AppError } from "../errors";
import { completeMfaChallenge } from "../services/mfa-service";
import { changeSmsMfa, findSmsMfaTarget, sendSmsMfaCode, smsFactor } from "../services/sms-mfa-service";
import type { AppEnv } from "./http/app-env";
import { requireCaller } from "./http/bearer";
import { readBody } from "./http/body";
import { clientInfo } from "./http/client";
import { gate } from "./http/rate-limit";
import { requestScope } from "./http/request-scope";
import { tokenResponseBody } from "./http/token-transport";
import { LoginMfaSmsBody, LoginMfaSmsSendBody, SmsMfaChangeBody } from "./phone-schemas";

const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };

/** "+1•••••••71": enough to tell which phone to look at, not the number. */
function maskPhone(phone: string): string {
  return `${phone.slice(0, 2)}${"•".repeat(Math.max(0, phone.length - 4))}${phone.slice(-2)}`;
}

export const smsMfaRoutes = new Hono<AppEnv>();

// Only for the methods the path serves: a wrong method must answer 405 (app.ts), not 401.
smsMfaRoutes.on(["POST", "DELETE"], "/v1/mfa/sms", gate("second_factor"), requireCaller);

smsMfaRoutes.on(["POST", "DELETE"], "/v1/mfa/sms", async (c) => {
  const { password } = await readBody(c, SmsMfaChangeBody);
  const enabled = c.req.method === "POST";
  const result = await changeSmsMfa(
    c.get("services"),
    clientInfo(c),
    c.get("principal"),
    { password, enabled },
    requestScope(c),
  );
  if (!result.ok) throw new AppError(result.error);
  return c.body(null, 204);
});

smsMfaRoutes.post("/v1/login/mfa/sms/send", gate("send_sms_mfa_code"), async (c) => {
  const { mfa_token } = await readBody(c, LoginMfaSmsSendBody);
  const services = c.get("services");
  const target = await findSmsMfaTarget(services, mfa_token);
  if (!target.ok) throw new AppError(target.error);
  const sent = await sendSmsMfaCode(services, target.value);
  if (!sent.ok) throw new AppError(sent.error);
  return c.json({ phone_hint: maskPhone(target.value.phone) }, 202, NO_STORE);
});

smsMfaRoutes.post("/v1/login/mfa/sms", gate("second_factor"), async (c) => {
  const { mfa_token, code } = await readBody(c, LoginMfaSmsBody);
  const result = await completeMfaChallenge(
    c.get("services"),
    mfa_token,
    smsFactor(code),
    clientInfo(c),
    requestScope(c),
  );
  if (!result.ok) throw new AppError(result.error);
  return c.json(tokenResponseBody(c, result.value.tokens), 200, NO_STORE);
});
