import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { countRows, logIn, PASSWORD, signUp, uniqueEmail } from "./support/accounts";
import { call, readJson } from "./support/http";

describe("POST /v1/signup", () => {
  it("creates the user and a session and answers 201 with the user and a token response", async () => {
    const email = uniqueEmail();
    const response = await call("POST", "/v1/signup", {
      json: { email, password: PASSWORD, name: "Ada", username: "Ada_L", first_name: "Ada", last_name: "Lovelace" },
    });
    expect(response.status).toBe(201);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const body = await readJson(response);
    expect(body).toMatchObject({ token_type: "Bearer", expires_in: 900 });
    expect(body.user).toMatchObject({
      email,
      name: "Ada",
      username: "ada_l",
      first_name: "Ada",
      email_verified: false,
    });
    expect(body.user).not.toHaveProperty("password_hash");
    expect(typeof body.access_token).toBe("string");
    expect(String(body.refresh_token).length).toBeGreaterThanOrEqual(43);

    const stored = await env.DB.prepare("select password_hash from users where email = ?")
      .bind(email)
      .first<{ password_hash: string }>();
    expect(stored?.password_hash).toMatch(/^\$scrypt\$ln=\d+,r=\d+,p=\d+\$/);
    const refresh = await env.DB.prepare("select token_hash from refresh_tokens").all<{ token_hash: string }>();
    expect(refresh.results.map((row) => row.token_hash)).not.toContain(body.refresh_token);
  });

  it("accepts application/x-www-form-urlencoded like JSON", async () => {
    const response = await call("POST", "/v1/signup", { form: { email: uniqueEmail(), password: PASSWORD } });
    expect(response.status).toBe(201);
  });

  it("refuses a registered email with 409 email_taken, whatever its case, and writes nothing", async () => {
    const account = await signUp();
    const before = await countRows("users");
    const response = await call("POST", "/v1/signup", {
      json: { email: account.email.toUpperCase(), password: PASSWORD },
    });
    expect(response.status).toBe(409);
    expect(response.headers.get("Content-Type")).toBe("application/problem+json");
    expect(await readJson(response)).toMatchObject({ code: "email_taken", status: 409 });
    expect(await countRows("users")).toBe(before);
  });

  it("refuses a taken username with 409 username_taken", async () => {
    await signUp({ username: "taken_name" });
    const sessionsBefore = await countRows("sessions");
    const response = await call("POST", "/v1/signup", {
      json: { email: uniqueEmail(), password: PASSWORD, username: "TAKEN_name" },
    });
    expect(response.status).toBe(409);
    expect(await readJson(response)).toMatchObject({ code: "username_taken" });
    expect(await countRows("sessions")).toBe(sessionsBefore);
  });

  it("refuses short, overlong and common passwords with weak_password", async () => {
    for (const password of ["short", "x".repeat(129), "password123", "PASSWORD123"]) {
      const response = await call("POST", "/v1/signup", { json: { email: uniqueEmail(), password } });
      expect(response.status).toBe(400);
      const body = await readJson(response);
      expect(body.code).toBe("weak_password");
      expect(body.errors).toEqual([expect.objectContaining({ field: "password" })]);
    }
  });

  it("refuses invalid email addresses naming the field", async () => {
    for (const email of ["not-an-email", "a@b", "a b@example.com", "line\r\nbreak@example.com", "@example.com"]) {
      const response = await call("POST", "/v1/signup", { json: { email, password: PASSWORD } });
      expect(response.status).toBe(400);
      expect(await readJson(response)).toMatchObject({ code: "invalid_request", errors: [{ field: "email" }] });
    }
  });
});

describe("POST /v1/login", () => {
  it("logs in by email in any case and by username", async () => {
    const account = await signUp({ username: "login_by_name" });
    const byEmail = await call("POST", "/v1/login", {
      json: { email: account.email.toUpperCase(), password: PASSWORD },
    });
    expect(byEmail.status).toBe(200);
    expect(byEmail.headers.get("Cache-Control")).toBe("no-store");
    expect(await readJson(byEmail)).toMatchObject({ token_type: "Bearer", expires_in: 900 });
    const byUsername = await call("POST", "/v1/login", { form: { username: "Login_By_Name", password: PASSWORD } });
    expect(byUsername.status).toBe(200);
  });

  it("keeps one account for A@x.io and a@x.io", async () => {
    const local = crypto.randomUUID().slice(0, 8);
    await signUp({ email: `A-${local}@X.io` });
    const second = await call("POST", "/v1/signup", { json: { email: `a-${local}@x.io`, password: PASSWORD } });
    expect(second.status).toBe(409);
    const count = await env.DB.prepare("select count(*) as n from users where email = ?")
      .bind(`a-${local}@x.io`)
      .first<{ n: number }>();
    expect(count?.n).toBe(1);
    await logIn(`a-${local}@x.io`);
  });

  it("answers unknown account, wrong password and disabled account with the same 401", async () => {
    const account = await signUp();
    const disabled = await signUp();
    await env.DB.prepare("update users set disabled_at = 1 where id = ?").bind(disabled.userId).run();
    const sessionsBefore = await countRows("sessions");
    const attempts = [
      { email: uniqueEmail("nobody"), password: PASSWORD },
      { email: account.email, password: `${PASSWORD}!` },
      { email: disabled.email, password: PASSWORD },
      { username: "no_such_user", password: PASSWORD },
    ];
    const bodies = [];
    for (const attempt of attempts) {
      const response = await call("POST", "/v1/login", { json: attempt });
      expect(response.status).toBe(401);
      bodies.push(await response.text());
    }
    expect(new Set(bodies).size).toBe(1);
    expect(JSON.parse(bodies[0] ?? "{}")).toMatchObject({ code: "invalid_credentials" });
    expect(await countRows("sessions")).toBe(sessionsBefore);
  });

  it("upgrades a hash weaker than policy on the next successful login", async () => {
    const account = await signUp();
    const { hashPassword } = await import("../src/crypto/password-hash");
    const weak = await hashPassword(PASSWORD, { logN: 4, blockSize: 8, parallelism: 1 });
    await env.DB.prepare("update users set password_hash = ? where id = ?").bind(weak, account.userId).run();
    await logIn(account.email);
    const row = await env.DB.prepare("select password_hash from users where id = ?")
      .bind(account.userId)
      .first<{ password_hash: string }>();
    expect(row?.password_hash).toMatch(/^\$scrypt\$ln=10,r=8,p=1\$/);
    await logIn(account.email);
  });

  it("refuses a stored hash whose parameters exceed production limits without computing it", async () => {
    const account = await signUp();
    const hostile = "$scrypt$ln=22,r=8,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";
    await env.DB.prepare("update users set password_hash = ? where id = ?").bind(hostile, account.userId).run();
    const response = await call("POST", "/v1/login", { json: { email: account.email, password: PASSWORD } });
    expect(response.status).toBe(401);
    expect(await readJson(response)).toMatchObject({ code: "invalid_credentials" });
  });
});
