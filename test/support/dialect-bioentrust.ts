// Helpers for the BioEntrust suites: accounts made the way its clients make them (sign-up, the mailed
// code back through verify-email), its token pair, and the state its sessions leave in D1.
import { env } from "cloudflare:workers";
import type { Bindings } from "../../src/bindings";
import { PASSWORD, uniqueEmail } from "./accounts";
import { call, callWith, readJson } from "./http";
import { latestCode } from "./mail";

/** `{"message": "Logged In", "token": {"access", "refresh"}}`: verify-email's and sign-in's answer. */
export interface BioLoggedIn {
  message: string;
  token: { access: string; refresh: string };
}

export interface BioPending {
  email: string;
  password: string;
  userId: string;
  requestId: string;
  code: string;
}

export interface BioAccount extends BioPending {
  access: string;
  refresh: string;
}

/** The 401 BioEntrust documents for a missing or bad token. */
export const UNAUTHORIZED = { status: "error", message: "Unauthorized" };
export const RATE_LIMITED = { error: "Too many requests; try again later" };

/** POST /user/signup as the document shows it (with a password the core accepts), and the mailed code. */
/**
 * /v1 requiring verification and only BioEntrust mounted: nothing signs unverified accounts in, so a
 * sign-up again for a never-verified address replaces it (elsewhere it answers 409).
 */
export const strictBioEnv: Bindings = { ...env, EMAIL_VERIFICATION: "required", DIALECTS: "bioentrust" };

export async function bioSignUp(fields: Record<string, string> = {}, bindings?: Bindings): Promise<BioPending> {
  const email = fields.email ?? uniqueEmail("bio");
  const password = fields.password ?? PASSWORD;
  const json = { first_name: "John", last_name: "Doe", email, password, ...fields };
  const response = bindings
    ? await callWith(bindings, "POST", "/user/signup", { json })
    : await call("POST", "/user/signup", { json });
  if (response.status !== 200)
    throw new Error(`bioentrust sign-up failed: ${response.status} ${await response.text()}`);
  const { otp_request_id: requestId } = await readJson<{ otp_request_id: string }>(response);
  const user = await env.DB.prepare("select id from users where email = ?").bind(email).first<{ id: string }>();
  if (!user) throw new Error(`no user row for ${email}`);
  return { email, password, userId: user.id, requestId, code: (await latestCode(email, "verify_email")).code };
}

/** POST /user/verify-email with the code of `pending`. */
export function bioVerifyEmail(pending: Pick<BioPending, "requestId" | "code">, path = "/user/verify-email") {
  return call("POST", path, { json: { otp: pending.code, otp_request_id: pending.requestId } });
}

/** A signed-up, verified and signed-in BioEntrust account. */
export async function bioAccount(fields: Record<string, string> = {}): Promise<BioAccount> {
  const pending = await bioSignUp(fields);
  const response = await bioVerifyEmail(pending);
  if (response.status !== 200) throw new Error(`verify-email failed: ${response.status} ${await response.text()}`);
  const { token } = await readJson<BioLoggedIn>(response);
  return { ...pending, access: token.access, refresh: token.refresh };
}

export function bioSignIn(email: string, password = PASSWORD): Promise<Response> {
  return call("POST", "/user/signin", { json: { email, password } });
}

export async function sessionRow(sessionId: string) {
  return env.DB.prepare("SELECT rotates_refresh_token, revoked_at FROM sessions WHERE id = ?")
    .bind(sessionId)
    .first<{ rotates_refresh_token: number; revoked_at: number | null }>();
}

export async function userRow(userId: string) {
  return env.DB.prepare(
    "select email, email_verified, first_name, last_name, name, username, phone from users where id = ?",
  )
    .bind(userId)
    .first<Record<string, unknown>>();
}
