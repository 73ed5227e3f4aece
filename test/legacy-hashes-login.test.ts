// Logging in with an imported hash: the right password answers a session and leaves our scrypt PHC
// in D1 (the old string gone), a wrong one answers 401 invalid_credentials and leaves the row as it
// was, unverifiable hashes answer the same 401 at once, and the upgrade is a compare-and-swap.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Bindings } from "../src/bindings";
import { createDatabase } from "../src/storage/database";
import { replacePasswordHash } from "../src/storage/user-store";
import { call, callWith, expectProblem, readJson } from "./support/http";
import {
  ARGON2ID,
  ARGON2ID_256MIB,
  BCRYPT,
  BETTER_AUTH,
  DJANGO,
  DJANGO_1_2M,
  DJANGO_ARGON2,
  FIREBASE,
  FIREBASE_ENV,
  insertImportedUser,
  PASSLIB,
  storedHashOf,
  timed,
  type Vector,
  WERKZEUG,
  WERKZEUG_SCRYPT_OVER_CAP,
} from "./support/legacy-hashes";

const OURS = /^\$scrypt\$ln=10,r=8,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/;
const pick = (vectors: Vector[], index: number): Vector => vectors[index] ?? { password: "", stored: "" };

// One published vector of every format and prefix a login can meet (passwords the login body accepts).
const ONE_OF_EACH: Record<string, Vector> = {
  "bcrypt $2a$": pick(BCRYPT, 3),
  "bcrypt $2b$": pick(BCRYPT, 5),
  "bcrypt $2y$": pick(BCRYPT, 6),
  "Django pbkdf2_sha256": pick(DJANGO, 0),
  "passlib $pbkdf2-sha256$": pick(PASSLIB, 0),
  "werkzeug pbkdf2:sha256": pick(WERKZEUG, 1),
  "werkzeug scrypt": pick(WERKZEUG, 3),
  argon2id: pick(ARGON2ID, 0),
  "Django argon2i": pick(DJANGO_ARGON2, 0),
  "Better Auth": pick(BETTER_AUTH, 0),
};

/** Ten formats, several logins each: seconds when the machine is shared, so more than the default 5 s. */
const LOOP_TIMEOUT_MS = 30_000;

const logIn = (email: string, password: string) => call("POST", "/v1/login", { json: { email, password } });

async function expectUpgradedOnLogin(stored: string, password: string, send = logIn): Promise<void> {
  const user = await insertImportedUser(stored);
  const response = await send(user.email, password);
  expect(response.status, stored).toBe(200);
  expect(await readJson(response)).toMatchObject({
    access_token: expect.any(String),
    refresh_token: expect.any(String),
  });
  const upgraded = await storedHashOf(user.id);
  expect(upgraded, stored).toMatch(OURS);
  // The new hash is the password's: the next login verifies ours, and the old string is gone for good.
  expect((await send(user.email, password)).status).toBe(200);
  expect(await storedHashOf(user.id)).toBe(upgraded);
}

describe("login with an imported hash", () => {
  it(
    "the right password answers 200 and replaces the hash with our scrypt PHC, for every format",
    async () => {
      for (const { stored, password } of Object.values(ONE_OF_EACH)) await expectUpgradedOnLogin(stored, password);
    },
    LOOP_TIMEOUT_MS,
  );

  it("Django 6.0's 1,200,000-iteration hash (our bound; 12 times production's PBKDF2 cap) logs in and is upgraded", async () => {
    await expectUpgradedOnLogin(DJANGO_1_2M, "lètmein");
  }, 20_000);

  it("a Firebase hash logs in with the project's FIREBASE_SCRYPT_* config, and not without it", async () => {
    const refused = await insertImportedUser(FIREBASE.stored);
    await expectProblem(await logIn(refused.email, FIREBASE.password), 401, "invalid_credentials");
    expect(await storedHashOf(refused.id)).toBe(FIREBASE.stored);
    const bindings = { ...env, ...FIREBASE_ENV } as unknown as Bindings;
    const viaFirebase = (email: string, password: string) =>
      callWith(bindings, "POST", "/v1/login", { json: { email, password } });
    await expectUpgradedOnLogin(FIREBASE.stored, FIREBASE.password, viaFirebase);
  });

  it(
    "a wrong password answers 401 invalid_credentials and leaves the imported hash as it was",
    async () => {
      for (const { stored, password } of Object.values(ONE_OF_EACH)) {
        const user = await insertImportedUser(stored);
        await expectProblem(await logIn(user.email, `${password}!`), 401, "invalid_credentials");
        expect(await storedHashOf(user.id)).toBe(stored);
      }
    },
    LOOP_TIMEOUT_MS,
  );

  it(
    "malformed and absurd-cost hashes answer the same 401 at once, even to the right password",
    async () => {
      const unverifiable = [
        "$2b$31$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW",
        "pbkdf2_sha256$900000000$seasalt$r1uLUxoxpP2Ued/qxvmje7UH9PUJBkRrvf9gGPL7Cps=",
        WERKZEUG_SCRYPT_OVER_CAP,
        ARGON2ID_256MIB,
        "pbkdf2_sha256$20000$seasalt$%%%",
        "argon2$argon2id$v=19$m=,t=,p=$$",
      ];
      for (const stored of unverifiable) {
        const user = await insertImportedUser(stored);
        const { ms, result } = await timed(() => logIn(user.email, "password"));
        await expectProblem(result, 401, "invalid_credentials");
        expect(ms, stored).toBeLessThan(3000);
        expect(await storedHashOf(user.id)).toBe(stored);
      }
    },
    LOOP_TIMEOUT_MS,
  );

  it(
    "the login lock applies unchanged: after 10 failures the right password is refused and nothing is upgraded",
    async () => {
      const { stored, password } = ONE_OF_EACH["bcrypt $2b$"] ?? pick(BCRYPT, 5);
      const user = await insertImportedUser(stored);
      for (let attempt = 0; attempt < 10; attempt++) {
        await expectProblem(await logIn(user.email, `wrong-${attempt}`), 401, "invalid_credentials");
      }
      await expectProblem(await logIn(user.email, password), 401, "invalid_credentials");
      expect(await storedHashOf(user.id)).toBe(stored);
    },
    LOOP_TIMEOUT_MS,
  );
});

describe("the upgrade is a compare-and-swap", () => {
  it("parallel right logins both succeed and leave one of our hashes, which verifies", async () => {
    const { stored, password } = pick(ARGON2ID, 0);
    const user = await insertImportedUser(stored);
    const responses = await Promise.all([logIn(user.email, password), logIn(user.email, password)]);
    expect(responses.map((response) => response.status)).toEqual([200, 200]);
    const upgraded = await storedHashOf(user.id);
    expect(upgraded).toMatch(OURS);
    expect((await logIn(user.email, password)).status).toBe(200);
    expect(await storedHashOf(user.id)).toBe(upgraded);
  });

  it("a hash changed after verification (a password change in between) is not overwritten", async () => {
    const { stored } = pick(BETTER_AUTH, 0);
    const user = await insertImportedUser(stored);
    const db = createDatabase(env.DB);
    // The password changed after login verified `stored`: the upgrade expects `stored` and must lose.
    const changed = "$scrypt$ln=10,r=8,p=1$c2FsdHNhbHRzYWx0c2FsdA$a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2V5a2U";
    await env.DB.prepare("UPDATE users SET password_hash = ? WHERE id = ?").bind(changed, user.id).run();
    expect(await replacePasswordHash(db, user.id, stored, "$scrypt$upgrade", 2)).toBe(false);
    expect(await storedHashOf(user.id)).toBe(changed);
    // While the hash is still the verified one, the same statement swaps it.
    expect(await replacePasswordHash(db, user.id, changed, "$scrypt$upgrade", 2)).toBe(true);
    expect(await storedHashOf(user.id)).toBe("$scrypt$upgrade");
  });
});
