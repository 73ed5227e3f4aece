// Sending SMS from services. Every SMS here answers a signed-in or half-signed-in caller who waits
// for it, so a provider failure is a clear 503 sms_unavailable with nothing lost: ask again later.

import { fail, type Result, succeed } from "../errors";
import { renderSms, type SmsTemplate } from "../sms/sms-templates";
import type { ServiceContext } from "./context";

export async function sendSmsNow(context: ServiceContext, to: string, template: SmsTemplate): Promise<Result<void>> {
  if (context.sms.provider === "none") return fail("sms_unavailable", { reason: "SMS_PROVIDER is none" });
  const message = renderSms(template, to, context.mail.productName, context.config.issuer);
  const outcome = await context.smsSender.send(message);
  if (outcome.ok) return succeed(undefined);
  return fail("sms_unavailable", { reason: `sms ${template.kind} not sent: ${outcome.failure}` });
}
