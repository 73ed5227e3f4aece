// The password-reset suites' common steps: ask for a reset code, an account that holds one beside two
// live sessions, and what a login with a given password answers.
import { expect } from "vitest";
import { logIn, signUp } from "./accounts";
import { callAndSettle, readJson } from "./http";
import { latestCode } from "./mail";

export const NEW_PASSWORD = "a brand new passphrase";

/** POST /v1/password/forgot, waiting for its mail; answers the response (unread) and the request id. */
export async function forgot(email: string): Promise<{ response: Response; requestId: string }> {
  const response = await callAndSettle("POST", "/v1/password/forgot", { json: { email } });
  const body = await readJson<{ otp_request_id: string }>(response.clone());
  return { response, requestId: body.otp_request_id };
}

/** An account with two sessions, and the reset code it was mailed. */
export async function accountWithResetCode() {
  const account = await signUp();
  const second = await logIn(account.email);
  const { response, requestId } = await forgot(account.email);
  expect(response.status).toBe(202);
  const received = await latestCode(account.email, "reset_password");
  return { ...account, sessions: [account.tokens, second], requestId, received };
}

export async function expectLogin(email: string, password: string, status: number): Promise<void> {
  const response = await callAndSettle("POST", "/v1/login", { json: { email, password } });
  expect(response.status).toBe(status);
}
