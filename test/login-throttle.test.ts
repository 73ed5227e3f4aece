// The per-identifier login lock in D1: 10 consecutive failures lock an email or username (known or
// not) behind the same 401 a wrong password gets, checked before any scrypt work; the lock doubles
// with each failure after it ends, a right password or a password reset lifts it.
import { env } from "cloudflare:workers";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import type * as ScryptModule from "../src/crypto/scrypt";
import type * as WorkerModule from "../src/index";
import type { LoginIdentifier } from "../src/services/login-throttle";
import { listOutbox } from "../src/storage/kv/outbox-store";
import { PASSWORD, sessionRowCount, signUp, uniqueEmail } from "./support/accounts";
import { callWith, readJson } from "./support/http";
import { endLock, type FailureRow, failureKeyOf, failureRowOf, nowSeconds } from "./support/throttle";

// A pass-through spy: the real scrypt runs; the test only counts how often the Worker reaches it.
// The Worker's modules are already loaded when this file starts, so a fresh copy is imported below,
// and every login in this file goes through that copy.
vi.mock("../src/crypto/scrypt", async (importOriginal) => {
  const real = await importOriginal<typeof ScryptModule>();
  return { ...real, scrypt: vi.fn(real.scrypt) };
});
let spiedWorker: typeof WorkerModule.default;
let scrypt: typeof ScryptModule.scrypt;
beforeAll(async () => {
  vi.resetModules();
  spiedWorker = (await import("../src/index")).default;
  scrypt = (await import("../src/crypto/scrypt")).scrypt;
});
const scryptCalls = () => vi.mocked(scrypt).mock.calls.length;

const WRONG = "not the passphrase at all";
const NEW_PASSWORD = "a brand new passphrase";

function attempt(identifier: LoginIdentifier, password: string): Promise<Response> {
  return callWith(env, "POST", "/v1/login", { json: { ...identifier, password } }, spiedWorker);
}

async function failTimes(identifier: LoginIdentifier, times: number): Promise<void> {
  for (let i = 0; i < times; i += 1) {
    const response = await attempt(identifier, WRONG);
    expect(response.status).toBe(401);
  }
}

/** How long the lock set by the last counted failure lasts. */
const lockSecondsOf = (row: FailureRow | null) => (row?.locked_until ?? 0) - (row?.updated_at ?? 0);

beforeEach(() => {
  vi.mocked(scrypt).mockClear();
});

describe("the login lock", () => {
  it("answers the right password with the same 401 as a wrong one after 10 failures, and opens no session", async () => {
    const account = await signUp();
    const identifier = { email: account.email };
    await failTimes(identifier, 9);
    const tenth = await attempt(identifier, WRONG);
    const wrongBody = await tenth.text();
    expect(tenth.status).toBe(401);

    const right = await attempt(identifier, PASSWORD);
    expect(right.status).toBe(401);
    expect(right.headers.get("Content-Type")).toBe(tenth.headers.get("Content-Type"));
    expect(await right.text()).toBe(wrongBody);
    expect(JSON.parse(wrongBody)).toMatchObject({ code: "invalid_credentials", status: 401 });
    expect(await sessionRowCount(account.userId)).toBe(1);

    const row = await failureRowOf(identifier);
    expect(row?.failures).toBe(10);
    expect(lockSecondsOf(row)).toBe(60);
    expect(row?.locked_until).toBeGreaterThan(nowSeconds());
  });

  it("refuses a locked identifier before hashing: no scrypt, and the attempt is not counted", async () => {
    const account = await signUp();
    const identifier = { email: account.email };
    await failTimes(identifier, 10);
    const before = await failureRowOf(identifier);

    vi.mocked(scrypt).mockClear();
    const locked = await attempt(identifier, PASSWORD);
    expect(locked.status).toBe(401);
    expect(scryptCalls()).toBe(0);
    expect(await failureRowOf(identifier)).toEqual(before);

    // The spy does see the hash of an identifier that is not locked.
    const unlocked = await attempt({ email: uniqueEmail("free") }, WRONG);
    expect(unlocked.status).toBe(401);
    expect(scryptCalls()).toBe(1);
  });

  it("doubles the cooling-off with each failure after a lock ends, up to an hour", async () => {
    const account = await signUp();
    const identifier = { email: account.email };
    await failTimes(identifier, 10);

    for (const [failures, lockSeconds] of [
      [11, 120],
      [12, 240],
      [13, 480],
    ] as const) {
      await endLock(identifier);
      expect((await attempt(identifier, WRONG)).status).toBe(401);
      const row = await failureRowOf(identifier);
      expect(row?.failures).toBe(failures);
      expect(lockSecondsOf(row)).toBe(lockSeconds);
    }

    await env.DB.prepare("update login_failures set failures = 30 where identifier_hash = ?")
      .bind(await failureKeyOf(identifier))
      .run();
    await endLock(identifier);
    expect((await attempt(identifier, WRONG)).status).toBe(401);
    const capped = await failureRowOf(identifier);
    expect(capped?.failures).toBe(31);
    expect(lockSecondsOf(capped)).toBe(3600);
  });

  it("lets the right password in once the cooling-off has passed, and forgets the failures", async () => {
    const account = await signUp();
    const identifier = { email: account.email };
    await failTimes(identifier, 10);
    await endLock(identifier);

    const response = await attempt(identifier, PASSWORD);
    expect(response.status).toBe(200);
    expect(await failureRowOf(identifier)).toBeNull();
  });

  it("locks an unknown email exactly like a registered one", async () => {
    const known = { email: (await signUp()).email };
    const unknown = { email: uniqueEmail("nobody") };
    await failTimes(known, 10);
    await failTimes(unknown, 10);

    const knownLocked = await attempt(known, PASSWORD);
    const unknownLocked = await attempt(unknown, PASSWORD);
    expect(unknownLocked.status).toBe(knownLocked.status);
    expect(unknownLocked.headers.get("Content-Type")).toBe(knownLocked.headers.get("Content-Type"));
    expect(await unknownLocked.text()).toBe(await knownLocked.text());

    for (const row of [await failureRowOf(known), await failureRowOf(unknown)]) {
      expect(row?.failures).toBe(10);
      expect(lockSecondsOf(row)).toBe(60);
    }
  });

  it("stores only a keyed hash of the normalized identifier, so case variants share one count", async () => {
    const email = uniqueEmail("Mixed");
    await failTimes({ email: email.toUpperCase() }, 5);
    await failTimes({ email: `  ${email}` }, 5);

    const row = await failureRowOf({ email: email.toLowerCase() });
    expect(row?.failures).toBe(10);
    const { results } = await env.DB.prepare("select identifier_hash from login_failures").all<{
      identifier_hash: string;
    }>();
    for (const { identifier_hash } of results) expect(identifier_hash.toLowerCase()).not.toContain("example.com");
  });

  it("clears the count when the right password arrives before the lock, so only consecutive failures lock", async () => {
    const account = await signUp();
    const identifier = { email: account.email };
    await failTimes(identifier, 9);
    expect((await attempt(identifier, PASSWORD)).status).toBe(200);
    expect(await failureRowOf(identifier)).toBeNull();

    await failTimes(identifier, 9);
    expect((await attempt(identifier, PASSWORD)).status).toBe(200);
  });

  it("forgets failures older than a day", async () => {
    const identifier = { email: uniqueEmail() };
    await failTimes(identifier, 9);
    await env.DB.prepare("update login_failures set updated_at = updated_at - 86401 where identifier_hash = ?")
      .bind(await failureKeyOf(identifier))
      .run();
    await failTimes(identifier, 1);
    expect(await failureRowOf(identifier)).toMatchObject({ failures: 1, locked_until: null });
  });

  it("counts the right password of a disabled account like a wrong one", async () => {
    const account = await signUp();
    await env.DB.prepare("update users set disabled_at = 1 where id = ?").bind(account.userId).run();
    expect((await attempt({ email: account.email }, PASSWORD)).status).toBe(401);
    expect((await failureRowOf({ email: account.email }))?.failures).toBe(1);
  });

  it("admits exactly 10 of 20 parallel wrong passwords to the hash and locks the identifier", async () => {
    const account = await signUp();
    const identifier = { email: account.email };
    vi.mocked(scrypt).mockClear();

    const responses = await Promise.all(Array.from({ length: 20 }, () => attempt(identifier, WRONG)));
    expect(responses.map((response) => response.status)).toEqual(Array(20).fill(401));
    expect(scryptCalls()).toBe(10);
    const row = await failureRowOf(identifier);
    expect(row?.failures).toBe(10);
    expect(row?.locked_until).toBeGreaterThan(nowSeconds());
    expect((await attempt(identifier, PASSWORD)).status).toBe(401);
  });
});

describe("the login lock and password reset", () => {
  async function resetCodeFor(email: string): Promise<{ otp_request_id: string; code: string }> {
    const forgot = await callWith(env, "POST", "/v1/password/forgot", { json: { email } }, spiedWorker);
    expect(forgot.status).toBe(202);
    const { otp_request_id } = await readJson<{ otp_request_id: string }>(forgot);
    const entry = (await listOutbox(env.KV, 100)).find((mail) => mail.to === email && mail.kind === "reset_password");
    if (!entry?.code) throw new Error(`no reset code mailed to ${email}`);
    return { otp_request_id, code: entry.code };
  }

  it("lets a locked account reset its password, which lifts the lock on its email and username", async () => {
    const username = `lock_${crypto.randomUUID().slice(0, 8)}`;
    const account = await signUp({ username });
    await failTimes({ email: account.email }, 10);
    await failTimes({ username }, 10);

    const redemption = await resetCodeFor(account.email);
    const reset = await callWith(
      env,
      "POST",
      "/v1/password/reset",
      { json: { ...redemption, new_password: NEW_PASSWORD } },
      spiedWorker,
    );
    expect(reset.status).toBe(204);
    expect(await failureRowOf({ email: account.email })).toBeNull();
    expect(await failureRowOf({ username })).toBeNull();

    expect((await attempt({ email: account.email }, NEW_PASSWORD)).status).toBe(200);
    expect((await attempt({ username }, NEW_PASSWORD)).status).toBe(200);
  });
});
