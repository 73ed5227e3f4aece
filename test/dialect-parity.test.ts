// One core behind every front door (../shared/DIALECTS.md rule 3): an account made through any
// dialect (or /v1) logs in through every other; every door's access token is accepted by
// /v1/token/verify, /v1/me and the RPC verifyToken; a logout through any door ends the session for
// all of them; and the login lock one door engages holds at every other, each in its own shape.
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { LOGIN_LOCK_THRESHOLD_FAILURES } from "../src/services/login-throttle";
import { claimsOf, introspect, me, PASSWORD, refresh } from "./support/accounts";
import { accountThrough, DOORS, type Door, logInThrough } from "./support/dialect-parity";
import { readJson } from "./support/http";

const WRONG = "not the password at all";

async function expectRefusedWrongPassword(door: Door, response: Response): Promise<void> {
  const body = await readJson(response);
  expect(response.status, `${door.name}: ${JSON.stringify(body)}`).toBe(door.refusal.status);
  expect(body).toMatchObject(door.refusal.body);
  // JSON in every dialect; /v1's problem document is JSON too.
  expect(response.headers.get("Content-Type")).toMatch(/^application\/(problem\+)?json\b/);
}

describe("an account made through any door logs in through every door", () => {
  for (const maker of DOORS) {
    it(`made through ${maker.name}: every door signs it in, to one user`, async () => {
      const email = await accountThrough(maker);
      const users = new Set<string>();
      for (const door of DOORS) {
        const pair = await logInThrough(door, email);
        users.add(claimsOf(pair.access).sub);
        expect(claimsOf(pair.access).email).toBe(email);
      }
      expect(users.size).toBe(1);
    });
  }
});

describe("every door's tokens are the core's", () => {
  for (const door of DOORS) {
    it(`${door.name}: /v1/token/verify, /v1/me and RPC verifyToken accept its access token; /v1 refreshes its session`, async () => {
      const email = await accountThrough(door);
      const pair = await logInThrough(door, email);
      expect(await introspect(pair.access)).toMatchObject({ active: true, sub: claimsOf(pair.access).sub });
      const user = await me(pair.access);
      expect(user.status).toBe(200);
      expect(await readJson(user)).toMatchObject({ email });
      const verified = await exports.AuthService.verifyToken(pair.access);
      expect(verified).toMatchObject({ valid: true, claims: { sub: claimsOf(pair.access).sub } });
      expect((await refresh(pair.refresh)).status).toBe(200);
    });
  }
});

describe("a logout through any door ends the session everywhere", () => {
  for (const door of DOORS.filter((candidate) => candidate.logOut)) {
    it(`${door.name}'s logout: /v1/me, /v1/token/verify, RPC and /v1 refresh all refuse that session`, async () => {
      const email = await accountThrough(door);
      const pair = await logInThrough(door, email);
      const other = await logInThrough(door, email);
      const answer = await door.logOut?.(pair);
      // 204 from /v1 (RFC 7009's revocation), 200 with each dialect's body.
      expect(answer?.status).toBe(door.name === "v1" ? 204 : 200);
      expect((await me(pair.access)).status).toBe(401);
      expect(await introspect(pair.access)).toEqual({ active: false });
      expect(await exports.AuthService.verifyToken(pair.access)).toMatchObject({ valid: false });
      expect((await refresh(pair.refresh)).status).toBe(401);
      // Only that session: the same user's other one goes on.
      expect((await me(other.access)).status).toBe(200);
    });
  }
});

describe("the login lock holds at every door", () => {
  for (const door of DOORS) {
    it(`${LOGIN_LOCK_THRESHOLD_FAILURES} wrong passwords at ${door.name} lock the account at every door, each refusing in its own shape`, async () => {
      const email = await accountThrough(door);
      for (let attempt = 0; attempt < LOGIN_LOCK_THRESHOLD_FAILURES; attempt += 1) {
        await expectRefusedWrongPassword(door, await door.logIn(email, WRONG));
      }
      // The right password now opens nothing, through any door: the same answer as a wrong one.
      for (const other of DOORS) await expectRefusedWrongPassword(other, await other.logIn(email, PASSWORD));
    });
  }
});
