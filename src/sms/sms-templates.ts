// The text of every SMS. Short (one segment where the product name allows), the code first so a
// lock screen shows it, and a last line in the origin-bound one-time code format ("@host #code",
// used by the WebOTP API and iOS/Android autofill) so browsers offer the code only on our own origin.

import type { SmsKind, SmsMessage } from "./sms-sender";

export type SmsTemplate = { kind: SmsKind; code: string; expiresInMinutes: number };

const PURPOSE: Record<SmsKind, string> = {
  verify_phone: "code to verify this phone number",
  mfa_sms: "sign-in code. Never share it",
};

export function renderSms(template: SmsTemplate, to: string, productName: string, issuer: string): SmsMessage {
  const { code, kind, expiresInMinutes } = template;
  const minutes = `${expiresInMinutes} minute${expiresInMinutes === 1 ? "" : "s"}`;
  const body = `${code} is your ${productName} ${PURPOSE[kind]}. It expires in ${minutes}.\n\n@${new URL(issuer).hostname} #${code}`;
  return { to, body, kind, meta: { code } };
}
