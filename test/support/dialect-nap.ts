// Helpers for the NAP suites: requests as the generated Python SDK sends them (JSON, Accept:
// application/json, tokens in X-NAP-* headers), accounts made through NAP's own sign-up and link,
// and the SDK's view of every answer: the swagger's models, exact keys and JSON types (strict zod).
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import * as z from "zod";
import { PASSWORD, uniqueEmail } from "./accounts";
import { expectDialectError } from "./dialects";
import { type CallOptions, call, callWith, readJson } from "./http";
import { mailTo, tokenOf } from "./mail";

/** What the swagger tells clients to do with `session_token` before use: base64url-decode it to the JWT. */
export const jwtOf = (sessionToken: string): string => atob(sessionToken.replace(/-/g, "+").replace(/_/g, "/"));

export const SDK_HEADERS = { Accept: "application/json", "User-Agent": "OpenAPI-Generator/0.1.0/python" };

/** A call as the SDK makes it: its headers, plus `headers` (X-NAP-*). */
export function napCall(method: string, path: string, options: CallOptions = {}): Promise<Response> {
  return call(method, path, { ...options, headers: { ...SDK_HEADERS, ...options.headers } });
}

/** The same, waiting for the work deferred after the response (the verification mail). */
export function napCallAndSettle(method: string, path: string, options: CallOptions = {}): Promise<Response> {
  return callWith(env, method, path, { ...options, headers: { ...SDK_HEADERS, ...options.headers } });
}

// The swagger's models as the SDK reads them; strict, so a missing or extra member fails.
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
export const TokensModel = z.strictObject({
  session_id: z.string().min(1),
  // base64.RawURLEncoding of a JWT, as the swagger says.
  session_token: z.string().regex(/^[\w-]+$/),
  session_token_expiry: z.string().regex(RFC3339),
  refresh_token: z.string().min(1),
  refresh_token_expiry: z.string().regex(RFC3339),
});
export const ErrorModel = z.strictObject({ message: z.string().min(1), debug: z.string().min(1), code: z.int() });
export const LoginResultModel = z.strictObject({
  message: z.string(),
  tokens: TokensModel,
  requireEmailVerification: z.literal(false),
});
export const UnverifiedModel = z.strictObject({ message: z.string(), requireEmailVerification: z.literal(true) });
export const SignupResultModel = z.strictObject({ userId: z.uuid(), message: z.string() });
export const DoneModel = z.strictObject({ success: z.literal(true), message: z.string() });
export const RefreshResultModel = z.strictObject({ tokens: TokensModel });

export type NapTokens = z.infer<typeof TokensModel>;

/** `response` is `status` JSON that `model` parses strictly; answers the parsed body. */
export async function expectModel<T extends z.ZodType>(response: Response, status: number, model: T) {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get("Content-Type")).toMatch(/^application\/json\b/);
  const parsed = model.safeParse(JSON.parse(text));
  expect(parsed.success, `${text}\n${parsed.error?.message}`).toBe(true);
  return parsed.data as z.infer<T>;
}

/** NAP's models.ErrorResponse: `code` the status, exactly these members. */
export async function expectNapError(
  response: Response,
  status: number,
  message: string | RegExp = /./,
): Promise<{ message: string; debug: string }> {
  const clone = response.clone();
  const body = await expectModel(response, status, ErrorModel);
  expect(body.code).toBe(status);
  expect(body.message).toMatch(message);
  await expectDialectError(clone, status, body);
  return body;
}

export interface NapAccount {
  email: string;
  password: string;
  userId: string;
}

export const signUpBody = (email: string, password = PASSWORD) => ({
  email,
  password,
  confirmPassword: password,
  firstName: "Ada",
  lastName: "Lovelace",
});

/** A NAP sign-up (unverified, nothing mailed). Passwords of NAP are 8–32 characters. */
export async function napSignUp(email = uniqueEmail("nap"), password = "correct horse battery"): Promise<NapAccount> {
  const response = await napCall("POST", "/api/auth/signup", { json: signUpBody(email, password) });
  if (response.status !== 200) throw new Error(`NAP sign-up failed: ${response.status} ${await response.text()}`);
  const { userId } = await readJson<{ userId: string }>(response);
  return { email, password, userId };
}

/** verify-email/send, then the single-use token of the newest verification link mailed to `email`. */
export async function napVerificationToken(email: string): Promise<string> {
  const response = await napCallAndSettle("POST", "/api/auth/verify-email/send", { json: { email } });
  if (response.status !== 200) throw new Error(`verify-email/send failed: ${response.status}`);
  const [mail] = await mailTo(email, "verify_email");
  if (!mail?.link) throw new Error(`no verification link mailed to ${email}`);
  return tokenOf(mail.link);
}

export function napLogIn(email: string, password: string): Promise<Response> {
  return napCall("POST", "/api/auth/login", { json: { email, password } });
}

/** Signed up, verified by the link and logged in through NAP. */
export async function napSession(): Promise<NapAccount & { tokens: NapTokens }> {
  const account = await napSignUp();
  const token = await napVerificationToken(account.email);
  const verified = await napCall("POST", "/api/auth/verify-email/verify", { json: { token } });
  if (verified.status !== 200) throw new Error(`verify failed: ${verified.status} ${await verified.text()}`);
  const login = await napLogIn(account.email, account.password);
  if (login.status !== 200) throw new Error(`NAP login failed: ${login.status} ${await login.text()}`);
  return { ...account, tokens: (await readJson<{ tokens: NapTokens }>(login)).tokens };
}

export const refreshWith = (refreshToken: string) =>
  napCall("POST", "/api/auth/refresh", { headers: { "X-NAP-Refresh-Token": refreshToken } });

export const logOutWith = (headers: Record<string, string>) => napCall("POST", "/api/auth/logout", { headers });
