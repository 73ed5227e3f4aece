// A never-verified account is replaced by a later sign-up for its address (test/attack-pre-account)
// only where no surface signs unverified accounts in. Where one does (crema always, wolfpal by
// default), such an account may be someone's account in use: a /v1 sign-up with EMAIL_VERIFICATION
// required must then leave it, its password and its sessions alone, or the newcomer would log in
// through that dialect as its owner.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Bindings } from "../src/bindings";
import { claimsOf, me, PASSWORD, uniqueEmail } from "./support/accounts";
import { callWith, readJson } from "./support/http";

const ATTACKER_PASSWORD = "the attacker's own passphrase";
const required: Bindings = { ...env, EMAIL_VERIFICATION: "required" };
const requiredWolfpalOnly: Bindings = { ...required, DIALECTS: "wolfpal" };
const requiredConfirmedOnly: Bindings = {
  ...required,
  DIALECTS: "wolfpal,nap",
  DIALECT_WOLFPAL_UNCONFIRMED_LOGIN: "false",
};

interface Door {
  name: string;
  bindings: Bindings;
  register(email: string, password: string): Promise<Response>;
  logIn(email: string, password: string): Promise<Response>;
  accessOf(body: Record<string, unknown>): string;
}

const DOORS: Door[] = [
  {
    name: "crema",
    bindings: required,
    register: (email, password) =>
      callWith(required, "POST", "/api/v1/users", { json: { name: "owner", email, password } }),
    logIn: (email, password) => callWith(required, "POST", "/api/v1/auth", { json: { email, password } }),
    accessOf: (body) => String(body.token),
  },
  {
    name: "wolfpal",
    bindings: requiredWolfpalOnly,
    register: (email, password) =>
      callWith(requiredWolfpalOnly, "POST", "/auth/register", {
        json: { username: `o${crypto.randomUUID().slice(0, 8)}`, email, password },
      }),
    logIn: (email, password) => callWith(requiredWolfpalOnly, "POST", "/auth/login", { json: { email, password } }),
    accessOf: (body) => String(body.access_token),
  },
];

describe("a /v1 sign-up for the address of an unverified account a dialect signs in", () => {
  for (const door of DOORS) {
    it(`${door.name}: replaces nothing; the owner's password and session stay, the newcomer's opens nothing`, async () => {
      const email = uniqueEmail(`inuse-${door.name}`);
      expect([200, 201]).toContain((await door.register(email, PASSWORD)).status);
      const owner = await door.logIn(email, PASSWORD);
      expect(owner.status).toBe(200);
      const ownerAccess = door.accessOf(await readJson(owner));

      const squat = await callWith(door.bindings, "POST", "/v1/signup", {
        json: { email, password: ATTACKER_PASSWORD },
      });
      // The same answer as any sign-up under required verification: nothing tells the address is taken.
      expect(squat.status).toBe(201);

      expect((await me(ownerAccess)).status).toBe(200);
      expect((await door.logIn(email, ATTACKER_PASSWORD)).status).not.toBe(200);
      const again = await door.logIn(email, PASSWORD);
      expect(again.status).toBe(200);
      expect(claimsOf(door.accessOf(await readJson(again))).sub).toBe(claimsOf(ownerAccess).sub);
    });
  }

  it("where no mounted surface signs unverified accounts in, the pending registration is replaced as before", async () => {
    const email = uniqueEmail("pending");
    const first = await callWith(requiredConfirmedOnly, "POST", "/v1/signup", { json: { email, password: PASSWORD } });
    expect(first.status).toBe(201);
    const before = await env.DB.prepare("SELECT id, password_hash FROM users WHERE email = ?")
      .bind(email)
      .first<{ id: string; password_hash: string }>();
    const second = await callWith(requiredConfirmedOnly, "POST", "/v1/signup", {
      json: { email, password: ATTACKER_PASSWORD },
    });
    expect(second.status).toBe(201);
    const after = await env.DB.prepare("SELECT id, password_hash FROM users WHERE email = ?")
      .bind(email)
      .first<{ id: string; password_hash: string }>();
    expect(after?.id).toBe(before?.id);
    expect(after?.password_hash).not.toBe(before?.password_hash);
  });
});
