// Helpers for the phone and SMS suites: fresh numbers, texts read from the dev outbox the way a user
// reads their phone, and the phone columns of a user row.
import { env } from "cloudflare:workers";
import type { SmsKind } from "../../src/sms/sms-sender";
import { listOutbox, type OutboxEntry } from "../../src/storage/kv/outbox-store";
import { call, readJson } from "./http";

/** A number no other test uses (1 in 10 million chance of a clash): +1 555 and seven random digits. */
export function uniquePhone(): string {
  const [random = 0] = crypto.getRandomValues(new Uint32Array(1));
  return `+1555${String(random % 10_000_000).padStart(7, "0")}`;
}

/** Texts kept in the dev outbox for `to` (optionally of one kind), newest first. */
export async function smsTo(to: string, kind?: SmsKind): Promise<OutboxEntry[]> {
  const entries = await listOutbox(env.KV, 100);
  return entries.filter((entry) => entry.channel === "sms" && entry.to === to && (!kind || entry.kind === kind));
}

/** The code of the newest text of `kind` to `to`; fails the test when there is none. */
export async function latestSmsCode(to: string, kind: SmsKind): Promise<string> {
  const [entry] = await smsTo(to, kind);
  if (!entry?.code) throw new Error(`no ${kind} SMS with a code to ${to}`);
  return entry.code;
}

/** POST /v1/phone, expecting 202; answers the request id and the code texted to the number. */
export async function requestPhoneCode(token: string, phone: string): Promise<{ requestId: string; code: string }> {
  const response = await call("POST", "/v1/phone", { token, json: { phone } });
  if (response.status !== 202) throw new Error(`POST /v1/phone: ${response.status} ${await response.text()}`);
  const { otp_request_id: requestId } = await readJson<{ otp_request_id: string }>(response);
  return { requestId, code: await latestSmsCode(phone, "verify_phone") };
}

/** POST /v1/phone/verify with the code of `requestId`, as the account behind `token`. */
export function submitPhoneCode(token: string, requestId: string, code: string): Promise<Response> {
  return call("POST", "/v1/phone/verify", { token, json: { otp_request_id: requestId, code } });
}

/** Sets and verifies `phone` for the account behind `token`. */
export async function verifyPhone(token: string, phone: string): Promise<void> {
  const { requestId, code } = await requestPhoneCode(token, phone);
  const response = await submitPhoneCode(token, requestId, code);
  if (response.status !== 200) throw new Error(`POST /v1/phone/verify: ${response.status} ${await response.text()}`);
}

export interface PhoneState {
  phone: string | null;
  phone_verified: number;
  sms_mfa_enabled: number;
}

export async function phoneState(userId: string): Promise<PhoneState | null> {
  return env.DB.prepare("select phone, phone_verified, sms_mfa_enabled from users where id = ?")
    .bind(userId)
    .first<PhoneState>();
}
