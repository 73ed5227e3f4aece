// Helpers for the second-factor suites: enrol TOTP through the API, compute codes from the secret
// the enrolment answered (as an authenticator app would), hold the clock in one step, log in up to
// the MFA step, and read or shift TOTP and challenge rows in D1.
import { env } from "cloudflare:workers";
import { decodeBase32, generateTotp, TOTP_STEP_SECONDS } from "../../src/crypto/totp";
import { PASSWORD, signUp, type TestAccount } from "./accounts";
import { freezeClock } from "./clock";
import { call, readJson } from "./http";

export interface TotpAccount extends TestAccount {
  secret: string;
  recoveryCodes: string[];
}

export interface MfaRequiredAnswer {
  mfa_required: true;
  mfa_token: string;
  methods: string[];
  expires_in: number;
}

/** The code an authenticator app shows for `secret`, `offsetSteps` steps from now. */
export function totpCode(secret: string, offsetSteps = 0): Promise<string> {
  const bytes = decodeBase32(secret);
  if (!bytes) throw new Error("enrolment answered a secret that is not base32");
  return generateTotp(bytes, Math.floor(Date.now() / 1000) + offsetSteps * TOTP_STEP_SECONDS);
}

/** A six-digit code that is none of the codes accepted right now (±1 step). */
export async function wrongTotpCode(secret: string): Promise<string> {
  const valid = await Promise.all([-1, 0, 1].map((offset) => totpCode(secret, offset)));
  for (let candidate = 500_000; ; candidate++) {
    const code = String((Number(valid[1]) + candidate) % 1_000_000).padStart(6, "0");
    if (!valid.includes(code)) return code;
  }
}

/**
 * Holds the clock (the Worker's too, see ./clock.ts) until the test ends, so codes computed here and
 * checked by the Worker fall in the same 30 s step however long the test takes: no waiting for a
 * fresh step. Answers the held time.
 */
export function holdTotpStep(): number {
  return freezeClock();
}

export async function startEnrolment(
  accessToken: string,
): Promise<{ secret: string; otpauth_uri: string; qr_svg: string }> {
  const response = await call("POST", "/v1/mfa/totp", { token: accessToken });
  if (response.status !== 200) throw new Error(`enrolment failed: ${response.status} ${await response.text()}`);
  return readJson(response);
}

/** Signs up and turns TOTP on through the API; the confirming code's step is then forgotten. */
export async function signUpWithTotp(fields: Record<string, unknown> = {}): Promise<TotpAccount> {
  const account = await signUp(fields);
  const { secret } = await startEnrolment(account.tokens.access_token);
  const response = await call("POST", "/v1/mfa/totp/confirm", {
    token: account.tokens.access_token,
    json: { code: await totpCode(secret), password: (fields.password as string | undefined) ?? PASSWORD },
  });
  if (response.status !== 200) throw new Error(`confirmation failed: ${response.status} ${await response.text()}`);
  const { recovery_codes } = await readJson<{ recovery_codes: string[] }>(response);
  await forgetLastTotpStep(account.userId);
  return { ...account, secret, recoveryCodes: recovery_codes };
}

/**
 * As if the last accepted code were long ago: the suites use codes of the current step more than
 * once per account, which the Worker rightly refuses as replays otherwise.
 */
export async function forgetLastTotpStep(userId: string): Promise<void> {
  await env.DB.prepare("update totp_factors set last_used_step = null where user_id = ?").bind(userId).run();
}

/** Password login of an account with a second factor; fails unless it answers the MFA challenge. */
export async function logInToMfa(email: string, password = PASSWORD): Promise<MfaRequiredAnswer> {
  const response = await call("POST", "/v1/login", { json: { email, password } });
  const body = await readJson<MfaRequiredAnswer>(response);
  if (response.status !== 200 || body.mfa_required !== true) throw new Error(`no MFA challenge: ${response.status}`);
  return body;
}

export function completeMfa(mfaToken: string, factor: { code: string } | { recovery_code: string }) {
  return call("POST", "/v1/login/mfa", { json: { mfa_token: mfaToken, ...factor } });
}

export interface TotpRow {
  user_id: string;
  secret_ciphertext: string;
  confirmed_at: number | null;
  last_used_step: number | null;
  failed_attempts: number;
  locked_until: number | null;
}

export async function totpRow(userId: string): Promise<TotpRow | null> {
  return env.DB.prepare("select * from totp_factors where user_id = ?").bind(userId).first<TotpRow>();
}

export async function challengeRowsOf(userId: string): Promise<{ attempts: number; consumed_at: number | null }[]> {
  const { results } = await env.DB.prepare(
    "select attempts, consumed_at from mfa_challenges where user_id = ? order by created_at, rowid",
  )
    .bind(userId)
    .all<{ attempts: number; consumed_at: number | null }>();
  return results;
}
