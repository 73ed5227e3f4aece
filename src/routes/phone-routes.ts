// Setting and verifying the signed-in user's phone number: parse, limit, call a service, map to HTTP.

import { Hono } from "hono";
import { AppError } from "../errors";
import { confirmPhoneNumber, requestPhoneVerification } from "../services/phone-service";
import type { AppEnv } from "./http/app-env";
import { requireCaller } from "./http/bearer";
import { readBody } from "./http/body";
import { gate } from "./http/rate-limit";
import { PhoneBody, PhoneVerifyBody } from "./phone-schemas";
import { toPublicUser } from "./views";

const NO_STORE = { "Cache-Control": "no-store" };

export const phoneRoutes = new Hono<AppEnv>();

phoneRoutes.post("/v1/phone", gate("send_phone_code"), requireCaller, async (c) => {
  const { phone: rawPhone } = await readBody(c, PhoneBody);
  const result = await requestPhoneVerification(c.get("services"), c.get("principal"), rawPhone);
  if (!result.ok) throw new AppError(result.error);
  return c.json({ otp_request_id: result.value.requestId }, 202, NO_STORE);
});

phoneRoutes.post("/v1/phone/verify", gate("redeem_code"), requireCaller, async (c) => {
  const body = await readBody(c, PhoneVerifyBody);
  const input = { requestId: body.otp_request_id, code: body.code };
  const result = await confirmPhoneNumber(c.get("services"), c.get("principal"), input);
  if (!result.ok) throw new AppError(result.error);
  return c.json(toPublicUser(result.value), 200, NO_STORE);
});
