// Helpers of the redirect-flow probes (test/oauth-probe-flow.test.ts, test/oauth-probe-code-grant.test.ts):
// PKCE values, the flows a state left in D1, the whole flow up to the SPA's sign-in code, and the
// shapes a refusal must have (RFC 6749 §5.2 bodies, nothing internal shown to a browser).
import { expect } from "vitest";
import type { FakeIdp } from "./fake-idp";
import { call, readJson } from "./http";
import { callback, callManual, countWhere, oidcPerson, redirectParameter, SPA_REDIRECT } from "./oauth";

export const b64url = (data: Uint8Array) =>
  btoa(String.fromCharCode(...data))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");

export async function challengeOf(verifier: string): Promise<string> {
  return b64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier))));
}

/** A verifier of exactly `length` unreserved characters (RFC 7636 §4.1). */
export function verifierOf(length: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  return Array.from(bytes, (byte) => alphabet[byte % alphabet.length]).join("");
}

export const allFlows = () => countWhere("select count(*) as n from oauth_flows");
export const liveFlowByState = async (state: string) =>
  countWhere(
    "select count(*) as n from oauth_flows where state_hash = ? and consumed_at is null",
    await challengeOf(state),
  );
export const stateOf = (location: string) => new URL(location).searchParams.get("state") ?? "";
export const authorize = (query: string, options: { headers?: Record<string, string> } = {}) =>
  callManual("GET", `/v1/oauth/google/authorize?${query}`, options);

/** The whole redirect flow for `person` with the SPA's own `verifier`, up to the sign-in code. */
export async function codeWithVerifier(fake: FakeIdp, verifier: string, person = oidcPerson()) {
  const query = new URLSearchParams({ redirect_to: SPA_REDIRECT, code_challenge: await challengeOf(verifier) });
  const started = await authorize(query.toString());
  expect(started.status).toBe(302);
  const cookie = (started.headers.get("Set-Cookie") ?? "").split(";")[0] ?? "";
  const answer = await fake.approve(started.headers.get("Location") ?? "", person);
  const response = await callback("google", answer, cookie);
  const code = redirectParameter(response, "code");
  if (!code) throw new Error(`no code: ${response.status} ${response.headers.get("Location")}`);
  return { code, person };
}

/** An RFC 6749 §5.2 error: JSON {error, error_description?}, 400, no-store, §5.2's character set. */
export async function expectOAuthError(response: Response, error: string): Promise<void> {
  expect(response.status).toBe(400);
  expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
  expect(response.headers.get("Cache-Control")).toBe("no-store");
  expect(response.headers.get("Pragma")).toBe("no-cache");
  const body = await readJson(response);
  expect(body.error).toBe(error);
  expect(Object.keys(body).every((key) => ["error", "error_description", "error_uri"].includes(key))).toBe(true);
  if (body.error_description !== undefined) expect(body.error_description).toMatch(/^[\x20\x21\x23-\x5B\x5D-\x7E]*$/);
}

export function postToken(body: Record<string, string>, as: "form" | "json" = "form"): Promise<Response> {
  return call("POST", "/v1/oauth/token", as === "form" ? { form: body } : { json: body });
}

/** No stack trace, file path or exception name in what a browser is shown. */
export function expectNoInternals(text: string): void {
  expect(text).not.toMatch(/\bat .+:\d+:\d+|\.ts\b|Error:|TypeError|stack|oauth4webapi/);
}
