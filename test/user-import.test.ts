// The user import, end to end: every supported hash format imported and then logged into with its
// known password (and upgraded to our scrypt by that login), plaintext hashed on import and stored
// nowhere, a TOTP secret that keeps the old authenticator working, idempotency and parallel imports.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Bindings } from "../src/bindings";
import { decodeBase32, generateTotp } from "../src/crypto/totp";
import { callWith, readJson } from "./support/http";
import {
  ARGON2ID,
  BCRYPT,
  BETTER_AUTH,
  DJANGO,
  DJANGO_ARGON2,
  FIREBASE,
  FIREBASE_ENV,
  PASSLIB,
  storedHashOf,
  type Vector,
  WERKZEUG,
} from "./support/legacy-hashes";
import { importTableCounts, importUsers, uniqueRow, userByEmail } from "./support/user-import";

const OURS = /^\$scrypt\$/;
const pick = (vectors: Vector[], index: number): Vector => vectors[index] ?? { password: "", stored: "" };
const FORMATS: Record<string, Vector> = {
  "bcrypt $2a$": pick(BCRYPT, 3),
  "bcrypt $2b$": pick(BCRYPT, 5),
  "bcrypt $2y$": pick(BCRYPT, 6),
  "Django pbkdf2_sha256 (100,000)": pick(DJANGO, 1),
  "passlib $pbkdf2-sha256$": pick(PASSLIB, 0),
  "werkzeug pbkdf2:sha256": pick(WERKZEUG, 1),
  "werkzeug scrypt": pick(WERKZEUG, 3),
  argon2id: pick(ARGON2ID, 0),
  "Django argon2i": pick(DJANGO_ARGON2, 0),
  "Better Auth": pick(BETTER_AUTH, 0),
};
const firebaseBindings = { ...env, ...FIREBASE_ENV } as unknown as Bindings;

const logIn = (email: string, password: string, bindings: Bindings = env) =>
  callWith(bindings, "POST", "/v1/login", { json: { email, password } });

describe("importing hashes, then logging in", () => {
  it("every format imports, logs in with its known password, and is upgraded to our scrypt", async () => {
    const rows = Object.values(FORMATS).map(({ stored }) => uniqueRow({ password_hash: stored, email_verified: true }));
    const answer = await importUsers(rows);
    expect(answer.results.map((r) => r.status)).toEqual(rows.map(() => "created"));
    expect(answer.created).toBe(rows.length);
    const vectors = Object.values(FORMATS);
    for (const [index, row] of rows.entries()) {
      const vector = vectors[index] as Vector;
      const userId = answer.results[index]?.user_id as string;
      expect(await storedHashOf(userId)).toBe(vector.stored);
      const login = await logIn(row.email as string, vector.password);
      expect(login.status, Object.keys(FORMATS)[index]).toBe(200);
      expect(await storedHashOf(userId)).toMatch(OURS);
    }
  }, 60_000);

  it("Firebase scrypt imports only with FIREBASE_SCRYPT_* configured, and then logs in", async () => {
    const refused = await importUsers([uniqueRow({ password_hash: FIREBASE.stored })]);
    expect(refused.results[0]?.error).toMatchObject({ code: "unsupported_hash", field: "password_hash" });
    const row = uniqueRow({ password_hash: FIREBASE.stored, email_verified: true });
    const answer = await importUsers([row], { bindings: firebaseBindings });
    expect(answer.results[0]?.status).toBe("created");
    expect((await logIn(row.email as string, FIREBASE.password, firebaseBindings)).status).toBe(200);
    expect(await storedHashOf(answer.results[0]?.user_id as string)).toMatch(OURS);
  });

  it("a plaintext password is hashed with our scrypt: login works, and the plaintext is in no column", async () => {
    const password = "plaintext from crema 7781";
    const row = uniqueRow({ password, email_verified: true, name: "Crema User" });
    const answer = await importUsers([row]);
    expect(JSON.stringify(answer)).not.toContain(password);
    const stored = await userByEmail(row.email as string);
    expect(stored?.password_hash).toMatch(OURS);
    for (const value of Object.values(stored ?? {})) expect(String(value)).not.toContain(password);
    expect((await logIn(row.email as string, password)).status).toBe(200);
  });

  it("a TOTP secret becomes a confirmed factor: the login asks for it and a code from that secret finishes it", async () => {
    const secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";
    const password = "totp user's passphrase";
    const row = uniqueRow({ password, totp_secret: secret, email_verified: true });
    const answer = await importUsers([row]);
    expect(JSON.stringify(answer)).not.toContain(secret);
    const userId = answer.results[0]?.user_id as string;
    const factor = await env.DB.prepare("select secret_ciphertext, confirmed_at from totp_factors where user_id = ?")
      .bind(userId)
      .first<{ secret_ciphertext: string; confirmed_at: number | null }>();
    expect(factor?.confirmed_at).not.toBeNull();
    expect(factor?.secret_ciphertext).not.toContain(secret);
    const first = await logIn(row.email as string, password);
    expect(first.status).toBe(200);
    const challenge = await readJson(first);
    expect(challenge.mfa_required).toBe(true);
    const code = await generateTotp(decodeBase32(secret) as Uint8Array, Math.floor(Date.now() / 1000));
    const finished = await callWith(env, "POST", "/v1/login/mfa", {
      json: { mfa_token: challenge.mfa_token, code },
    });
    expect(finished.status).toBe(200);
    expect((await readJson(finished)).access_token).toEqual(expect.any(String));
  });
});

describe("idempotency", () => {
  it("the same batch twice: all unchanged the second time, same ids, D1 unchanged", async () => {
    const rows = [
      uniqueRow({
        password_hash: pick(BCRYPT, 0).stored,
        identities: [{ provider: "github", subject: `gh-${crypto.randomUUID()}` }],
      }),
      uniqueRow({ password: "a plaintext passphrase", totp_secret: "JBSWY3DPEHPK3PXP" }),
      uniqueRow({ legacy_id: 4242 + Math.floor(Math.random() * 1e9), created_at: "2019-05-01T10:00:00Z" }),
    ];
    const first = await importUsers(rows);
    expect(first.created).toBe(3);
    const before = await importTableCounts();
    const ids = JSON.stringify(first.results.map((r) => r.user_id));
    const snapshot = () =>
      env.DB.prepare("select * from users where id in (select value from json_each(?)) order by id").bind(ids).all();
    const rowsBefore = (await snapshot()).results;
    const second = await importUsers(rows);
    expect(second.results.map((r) => r.status)).toEqual(["unchanged", "unchanged", "unchanged"]);
    expect(second.results.map((r) => r.user_id)).toEqual(first.results.map((r) => r.user_id));
    expect(await importTableCounts()).toEqual(before);
    expect((await snapshot()).results).toEqual(rowsBefore);
  });

  it("two identical imports in parallel create one user", async () => {
    const row = uniqueRow({
      password_hash: pick(BCRYPT, 1).stored,
      identities: [{ provider: "google", subject: `g-${crypto.randomUUID()}` }],
    });
    const answers = await Promise.all([importUsers([row]), importUsers([row]), importUsers([row])]);
    const statuses = answers.map((a) => a.results[0]?.status).sort();
    expect(statuses).toEqual(["created", "unchanged", "unchanged"]);
    const ids = new Set(answers.map((a) => a.results[0]?.user_id));
    expect(ids.size).toBe(1);
    const users = await env.DB.prepare("select count(*) as n from users where email = ?")
      .bind(row.email)
      .first<{ n: number }>();
    expect(users?.n).toBe(1);
    const links = await env.DB.prepare("select count(*) as n from identities where user_id = ?")
      .bind([...ids][0])
      .first<{ n: number }>();
    expect(links?.n).toBe(1);
  });
});
