// RPC when edge-auth itself fails: storage errors and a broken config reach the consumer Worker as
// typed results, never as thrown errors. Broken copies of edge-auth run beside the real one
// (vitest.config.ts): one whose D1 has no tables, one without SIGNING_KEYS; the real one gets D1
// faults by trigger (test/support/faults.ts).
import { createExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Bindings } from "../src/bindings";
import { AuthService, type ServiceFailure } from "../src/rpc/auth-service";
import { sessionOf, signUp } from "./support/accounts";
import { dropAllFaults, injectFault } from "./support/faults";

declare global {
  namespace Cloudflare {
    interface Env {
      /** The example consumer Worker, bound to the real edge-auth (vitest.config.ts). */
      CONSUMER: Fetcher;
      /** The same consumer, bound to an edge-auth whose D1 has no tables. */
      CONSUMER_UNMIGRATED: Fetcher;
      /** The same consumer, bound to an edge-auth without SIGNING_KEYS. */
      CONSUMER_UNCONFIGURED: Fetcher;
      AUTH_UNMIGRATED: Service<AuthService>;
      AUTH_UNCONFIGURED: Service<AuthService>;
    }
  }
}

afterEach(async () => {
  await dropAllFaults();
  vi.restoreAllMocks();
});

function callConsumer(consumer: Fetcher, method: string, path: string, token: string): Promise<Response> {
  return consumer.fetch(`https://consumer.test${path}`, { method, headers: { Authorization: `Bearer ${token}` } });
}

/** The consumer answered on its own terms: JSON with just the code, nothing of edge-auth's error. */
async function expectOutage(response: Response, status: number, code: ServiceFailure): Promise<void> {
  expect(response.status).toBe(status);
  expect(response.headers.get("Content-Type")).toMatch(/^application\/json/);
  const text = await response.text();
  expect(JSON.parse(text)).toEqual({ code });
  expect(text).not.toMatch(/D1_|SQLITE|no such table|SIGNING_KEYS|injected/);
}

/** Every method, called with ids and a token that would otherwise be fine. */
async function callEveryMethod(auth: Service<AuthService>) {
  const account = await signUp();
  const sid = sessionOf(account.tokens.access_token);
  return {
    verifyToken: await auth.verifyToken(account.tokens.access_token),
    getUser: await auth.getUser(account.userId),
    revokeSession: await auth.revokeSession(sid),
    disableUser: await auth.disableUser(account.userId),
    enableUser: await auth.enableUser(account.userId),
  };
}

describe("D1 failing under AuthService, seen from the consumer Worker", () => {
  it("answers /profile with 503 service_unavailable when the user cannot be read", async () => {
    const account = await signUp();
    const claims = await callConsumer(env.CONSUMER_UNMIGRATED, "GET", "/claims", account.tokens.access_token);
    // Verification needs only keys and KV: a D1 outage does not stop it.
    expect(claims.status).toBe(200);
    const profile = await callConsumer(env.CONSUMER_UNMIGRATED, "GET", "/profile", account.tokens.access_token);
    await expectOutage(profile, 503, "service_unavailable");
  });

  it("answers /logout with 503 service_unavailable when the real D1 refuses the revocation, and the session lives on", async () => {
    const account = await signUp();
    await injectFault("fail_rpc_session_revoke", "BEFORE UPDATE", "sessions");
    const logout = await callConsumer(env.CONSUMER, "POST", "/logout", account.tokens.access_token);
    await expectOutage(logout, 503, "service_unavailable");

    await dropAllFaults();
    const claims = await callConsumer(env.CONSUMER, "GET", "/claims", account.tokens.access_token);
    expect(claims.status).toBe(200);
  });

  it("answers every D1-backed method with { code: service_unavailable } and its own discriminant", async () => {
    const results = await callEveryMethod(env.AUTH_UNMIGRATED);
    expect(results.verifyToken).toMatchObject({ valid: true });
    expect(results).toMatchObject({
      getUser: { found: false, code: "service_unavailable" },
      revokeSession: { revoked: false, code: "service_unavailable" },
      disableUser: { disabled: false, code: "service_unavailable" },
      enableUser: { enabled: false, code: "service_unavailable" },
    });
    for (const [method, result] of Object.entries(results)) {
      if (method !== "verifyToken") expect(Object.keys(result).sort(), method).toHaveLength(2);
    }
  });

  it("logs the storage's reason for a failed call, without the SQL or the id it was asked about", async () => {
    const account = await signUp();
    await injectFault("fail_rpc_user_update", "BEFORE UPDATE", "users");
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    expect(await exports.AuthService.disableUser(account.userId)).toEqual({
      disabled: false,
      code: "service_unavailable",
    });
    const lines = logged.mock.calls.map(([line]) => String(line));
    const entry = lines.map((line) => JSON.parse(line)).find((line) => line.event === "rpc_error");
    expect(entry).toMatchObject({ method: "disableUser", code: "service_unavailable" });
    expect(entry.reason).toMatch(/injected fault/);
    expect(lines.join("\n")).not.toContain(account.userId);
    expect(lines.join("\n")).not.toMatch(/update|users/i);
  });
});

describe("a misconfigured edge-auth, seen from the consumer Worker", () => {
  it("answers /claims with 500 internal_error rather than refusing the token", async () => {
    const account = await signUp();
    const response = await callConsumer(env.CONSUMER_UNCONFIGURED, "GET", "/claims", account.tokens.access_token);
    await expectOutage(response, 500, "internal_error");
  });

  it("answers every method with { code: internal_error } and its own discriminant", async () => {
    expect(await callEveryMethod(env.AUTH_UNCONFIGURED)).toEqual({
      verifyToken: { valid: false, code: "internal_error" },
      getUser: { found: false, code: "internal_error" },
      revokeSession: { revoked: false, code: "internal_error" },
      disableUser: { disabled: false, code: "internal_error" },
      enableUser: { enabled: false, code: "internal_error" },
    });
  });

  it("logs which variable is wrong, never its value", async () => {
    const secret = "do-not-log-this-private-key-material";
    const broken = { ...env, SIGNING_KEYS: JSON.stringify({ keys: [{ kty: "EC", crv: "P-256", d: secret }] }) };
    // Built in this isolate, so its log line can be read here; the broken copies log in their own.
    const service = new AuthService(createExecutionContext(), broken as unknown as Bindings);
    const logged = vi.spyOn(console, "error").mockImplementation(() => undefined);
    expect(await service.getUser(crypto.randomUUID())).toEqual({ found: false, code: "internal_error" });
    const lines = logged.mock.calls.map(([line]) => String(line)).join("\n");
    expect(lines).toContain('"event":"rpc_error"');
    expect(lines).toContain("SIGNING_KEYS");
    expect(lines).not.toContain(secret);
  });
});
