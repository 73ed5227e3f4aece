// Each front door of the one core as a client of it sees it: how it makes an account, logs in
// (the token pair it answers), refuses a wrong password, and logs out, written from the contract
// (../shared/DIALECTS.md), so the parity suite can run every pair of doors against each other.
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { PASSWORD, signUp, uniqueEmail } from "./accounts";
import { jwtOf } from "./dialect-nap";
import { cremaSignUp } from "./dialects";
import { call, callAndSettle, readJson } from "./http";
import { latestCode, mailTo, tokenOf } from "./mail";

export interface Pair {
  access: string;
  refresh: string;
}

export interface Door {
  name: string;
  /** Makes an account through this door, its address proven where the door proves one. */
  makeAccount(email: string): Promise<void>;
  logIn(email: string, password: string): Promise<Response>;
  /** The pair from a 200 login answer. */
  pairOf(body: Record<string, unknown>): Pair;
  /** Its refusal of a wrong password: the status, and what its body must hold. */
  refusal: { status: number; body: Record<string, unknown> };
  /** Ends the session of `pair`, when the door has a logout. */
  logOut?(pair: Pair): Promise<Response>;
}

const ok = async (response: Response, status: number, what: string) => {
  if (response.status !== status) throw new Error(`${what}: ${response.status} ${await response.text()}`);
  return readJson(response);
};

/** The owner proves the address (NAP refuses a login until then). */
export async function proveAddress(email: string): Promise<void> {
  await env.DB.prepare("UPDATE users SET email_verified = 1 WHERE email = ?").bind(email).run();
}

const str = (value: unknown) => String(value);

export const DOORS: Door[] = [
  {
    name: "v1",
    makeAccount: async (email) => void (await signUp({ email })),
    logIn: (email, password) => call("POST", "/v1/login", { json: { email, password } }),
    pairOf: (body) => ({ access: str(body.access_token), refresh: str(body.refresh_token) }),
    refusal: { status: 401, body: { code: "invalid_credentials" } },
    logOut: (pair) => call("POST", "/v1/logout", { token: pair.access, json: { refresh_token: pair.refresh } }),
  },
  {
    name: "crema",
    makeAccount: async (email) => void (await cremaSignUp({ email })),
    logIn: (email, password) => call("POST", "/api/v1/auth", { json: { email, password } }),
    pairOf: (body) => ({ access: str(body.token), refresh: str(body.refresh_token) }),
    refusal: { status: 400, body: { error: "Invalid credentials!" } },
    logOut: (pair) => call("POST", "/api/logout", { token: pair.access }),
  },
  {
    name: "bookings",
    makeAccount: async (email) => {
      const json = { first_name: "Ada", last_name: "L", email, phone_no: "+15555550123", password: PASSWORD };
      await ok(await callAndSettle("POST", "/auth/register/", { json }), 201, "bookings register");
    },
    logIn: (email, password) => call("POST", "/auth/token/", { json: { email, password } }),
    pairOf: (body) => ({ access: str(body.access), refresh: str(body.refresh) }),
    refusal: { status: 401, body: { detail: "No active account found with the given credentials" } },
  },
  {
    name: "nap",
    makeAccount: async (email) => {
      const json = { email, password: PASSWORD, confirmPassword: PASSWORD, firstName: "Ada", lastName: "L" };
      await ok(await callAndSettle("POST", "/api/auth/signup", { json }), 200, "nap signup");
      await ok(await callAndSettle("POST", "/api/auth/verify-email/send", { json: { email } }), 200, "nap send");
      const [mail] = await mailTo(email, "verify_email");
      if (!mail?.link) throw new Error("no NAP verification link");
      const verified = await call("POST", "/api/auth/verify-email/verify", { json: { token: tokenOf(mail.link) } });
      await ok(verified, 200, "nap verify");
    },
    logIn: (email, password) => call("POST", "/api/auth/login", { json: { email, password } }),
    pairOf: (body) => {
      const tokens = body.tokens as Record<string, unknown>;
      // The swagger's session token is the JWT base64url-encoded; its clients decode it before use.
      return { access: jwtOf(str(tokens.session_token)), refresh: str(tokens.refresh_token) };
    },
    refusal: { status: 401, body: { code: 401 } },
    logOut: (pair) =>
      call("POST", "/api/auth/logout", {
        headers: { "X-NAP-Session-Token": pair.access, "X-NAP-Refresh-Token": pair.refresh },
      }),
  },
  {
    name: "wolfpal",
    makeAccount: async (email) => {
      const json = { username: `w${crypto.randomUUID().slice(0, 8)}`, email, password: PASSWORD };
      await ok(await callAndSettle("POST", "/auth/register", { json }), 201, "wolfpal register");
    },
    logIn: (email, password) => call("POST", "/auth/login", { json: { email, password } }),
    pairOf: (body) => ({ access: str(body.access_token), refresh: str(body.refresh_token) }),
    refusal: { status: 400, body: { code: "INVALID_CREDENTIALS" } },
    logOut: (pair) => call("POST", "/auth/logout", { token: pair.access }),
  },
  {
    name: "bioentrust",
    makeAccount: async (email) => {
      const json = { first_name: "Ada", last_name: "L", email, password: PASSWORD };
      const { otp_request_id } = await ok(
        await callAndSettle("POST", "/user/signup", { json }),
        200,
        "bioentrust signup",
      );
      const { code } = await latestCode(email, "verify_email");
      const verified = await call("POST", "/user/verify-email", { json: { otp: code, otp_request_id } });
      await ok(verified, 200, "bioentrust verify");
    },
    logIn: (email, password) => call("POST", "/user/signin", { json: { email, password } }),
    pairOf: (body) => {
      const token = body.token as Record<string, unknown>;
      return { access: str(token.access), refresh: str(token.refresh) };
    },
    refusal: { status: 401, body: { error: "Invalid login credentials" } },
    logOut: (pair) => call("DELETE", "/user/signout", { token: pair.refresh }),
  },
];

/** An account made through `door`, its address proven, ready for any door's login. */
export async function accountThrough(door: Door): Promise<string> {
  const email = uniqueEmail(`parity-${door.name}`);
  await door.makeAccount(email);
  await proveAddress(email);
  return email;
}

export async function logInThrough(door: Door, email: string, password = PASSWORD): Promise<Pair> {
  const response = await door.logIn(email, password);
  const body = await readJson(response);
  expect(response.status, `${door.name} login: ${JSON.stringify(body)}`).toBe(200);
  return door.pairOf(body);
}
