// The Workers Rate Limiting binding as the first gate on every unauthenticated endpoint: per client
// IP (CF-Connecting-IP only) and, on login and sign-up, per submitted identifier. A limited request
// answers 429 rate_limited with Retry-After and does no work behind the gate.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { PASSWORD, signUp, uniqueEmail } from "./support/accounts";
import { type CallOptions, call } from "./support/http";
import { awaitFreshMinute, expectRateLimited, failureRowOf, randomIp } from "./support/throttle";

const IP_LIMIT = 60;
const IDENTIFIER_LIMIT = 30;
const MAIL_LIMIT = 3;

/** Sends `count` requests in parallel and returns their statuses. */
async function burst(count: number, path: string, options: (index: number) => CallOptions): Promise<number[]> {
  const responses = await Promise.all(Array.from({ length: count }, (_, index) => call("POST", path, options(index))));
  return responses.map((response) => response.status);
}

describe("the per-IP limit", { timeout: 60_000 }, () => {
  it("answers the 61st login from one IP within a minute with 429, before any login work", async () => {
    await awaitFreshMinute();
    const ip = randomIp();
    const statuses = await burst(IP_LIMIT, "/v1/login", () => ({
      ip,
      json: { email: uniqueEmail("ip"), password: "a wrong passphrase" },
    }));
    expect(statuses).toEqual(Array(IP_LIMIT).fill(401));

    const email = uniqueEmail("limited");
    await expectRateLimited(await call("POST", "/v1/login", { ip, json: { email, password: PASSWORD } }));
    // The gate comes first: the refused attempt was not even counted as a failed login.
    expect(await failureRowOf({ email })).toBeNull();

    const elsewhere = await call("POST", "/v1/login", { ip: randomIp(), json: { email, password: PASSWORD } });
    expect(elsewhere.status).toBe(401);
  });

  it("keys on CF-Connecting-IP only: X-Forwarded-For neither spreads nor shares the limit", async () => {
    await awaitFreshMinute();
    const ip = randomIp();
    const spoofed = (index: number) => ({ ip, json: {}, headers: { "X-Forwarded-For": `192.0.2.${index + 1}` } });
    expect(await burst(IP_LIMIT, "/v1/login", spoofed)).toEqual(Array(IP_LIMIT).fill(400));
    await expectRateLimited(await call("POST", "/v1/login", spoofed(IP_LIMIT + 1)));

    const borrowing = await call("POST", "/v1/login", { ip: randomIp(), json: {}, headers: { "X-Forwarded-For": ip } });
    expect(borrowing.status).toBe(400);
  });

  const gated = [
    "/v1/signup",
    "/v1/login",
    "/v1/token/refresh",
    "/v1/email/verify",
    "/v1/email/verify/resend",
    "/v1/password/forgot",
    "/v1/password/reset",
    "/verify-email",
    "/reset-password",
    "/v1/login/mfa",
  ];
  for (const path of gated) {
    it(`gates POST ${path} per IP before reading the body`, async () => {
      await awaitFreshMinute();
      const ip = randomIp();
      const statuses = await burst(IP_LIMIT, path, () => ({ ip, json: {} }));
      expect(statuses.filter((status) => status === 429)).toEqual([]);
      await expectRateLimited(await call("POST", path, { ip, json: {} }));
      expect((await call("POST", path, { ip: randomIp(), json: {} })).status).not.toBe(429);
    });
  }

  it("leaves POST /v1/token/verify unlimited: it guesses no secret and writes nothing", async () => {
    await awaitFreshMinute();
    const ip = randomIp();
    const statuses = await burst(IP_LIMIT + 5, "/v1/token/verify", () => ({ ip, json: { token: "not.a.token" } }));
    expect(statuses).toEqual(Array(IP_LIMIT + 5).fill(200));
  });
});

describe("the per-identifier limit", { timeout: 60_000 }, () => {
  async function exhaustLogin(email: string): Promise<Response> {
    const statuses = await burst(IDENTIFIER_LIMIT, "/v1/login", () => ({
      json: { email, password: "a wrong passphrase" },
    }));
    expect(statuses).toEqual(Array(IDENTIFIER_LIMIT).fill(401));
    return call("POST", "/v1/login", { json: { email: email.toUpperCase(), password: PASSWORD } });
  }

  it("answers the 31st login for one email, from any IPs and in any case, with 429 — known or unknown alike", async () => {
    await awaitFreshMinute();
    const known = await signUp();
    await expectRateLimited(await exhaustLogin(known.email));
    await expectRateLimited(await exhaustLogin(uniqueEmail("nobody")));

    const other = await call("POST", "/v1/login", { json: { email: uniqueEmail(), password: PASSWORD } });
    expect(other.status).toBe(401);
  });

  it("limits sign-up per email address to the mail limit (3 a minute), since each sign-up may mail it", async () => {
    await awaitFreshMinute();
    const email = uniqueEmail("signup");
    const statuses = await burst(MAIL_LIMIT, "/v1/signup", () => ({ json: { email, password: PASSWORD } }));
    expect(statuses.sort()).toEqual([201, ...Array(MAIL_LIMIT - 1).fill(409)]);
    await expectRateLimited(await call("POST", "/v1/signup", { json: { email, password: PASSWORD } }));
    const users = await env.DB.prepare("select count(*) as n from users where email = ?").bind(email).first<{
      n: number;
    }>();
    expect(users?.n).toBe(1);
  });
});
