// Email addresses written many ways: which forms name one account, which are refused (400
// invalid_request naming the field), and that mail always goes to the address stored at sign-up,
// never to the form an anonymous caller typed. The rules are in src/services/identifiers.ts and
// docs/decisions.md ("Email addresses").
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { PASSWORD, signUp } from "./support/accounts";
import { call, callAndSettle, readJson } from "./support/http";
import { mailTo } from "./support/mail";

/** 12 digits unique to this case: no letters, so it adds no script of its own to a label. */
function tag(): string {
  const random = (crypto.getRandomValues(new Uint32Array(1))[0] ?? 0) % 1_000_000;
  return `${String(Date.now() % 1_000_000).padStart(6, "0")}${String(random).padStart(6, "0")}`;
}

const octetsOf = (text: string) => new TextEncoder().encode(text).byteLength;

/** `local`@ a domain of 63-letter labels and ".io", padded to exactly `octets` octets in all. */
function addressOf(local: string, octets: number): string {
  // Each label counts with the dot after it; 65 left would leave a 0-letter label, so take 62.
  let remaining = octets - octetsOf(local) - "@".length - "io".length;
  const labels: string[] = [];
  while (remaining > 0) {
    const size = remaining === 65 ? 62 : Math.min(63, remaining - 1);
    labels.push("d".repeat(size));
    remaining -= size + 1;
  }
  const address = `${local}@${labels.join(".")}${labels.length > 0 ? "." : ""}io`;
  expect(octetsOf(address)).toBe(octets);
  return address;
}

async function storedEmails(pattern: string): Promise<string[]> {
  const { results } = await env.DB.prepare("select email from users where email like ? order by email")
    .bind(pattern)
    .all<{ email: string }>();
  return results.map((row) => row.email);
}

async function expectEmailRefused(response: Response, field = "email"): Promise<void> {
  expect(response.status).toBe(400);
  expect(response.headers.get("Content-Type")).toBe("application/problem+json");
  expect(await readJson(response)).toMatchObject({ code: "invalid_request", errors: [{ field }] });
}

async function signUpAs(email: string): Promise<Response> {
  return call("POST", "/v1/signup", { json: { email, password: PASSWORD } });
}

async function expectOneAccount(written: string, stored: string): Promise<void> {
  const first = await signUpAs(written);
  expect(first.status, JSON.stringify(written)).toBe(201);
  expect(await readJson(first)).toMatchObject({ user: { email: stored } });
  const second = await signUpAs(stored);
  expect(second.status, JSON.stringify(stored)).toBe(409);
  expect(await readJson(second)).toMatchObject({ code: "email_taken" });
  expect(await storedEmails(stored)).toEqual([stored]);
  for (const form of [written, stored, stored.toUpperCase()]) {
    const login = await call("POST", "/v1/login", { json: { email: form, password: PASSWORD } });
    expect(login.status, JSON.stringify(form)).toBe(200);
  }
}

describe("forms that name one account", () => {
  it("folds case, and stores the lower-case form", async () => {
    const id = tag();
    await expectOneAccount(`Alice.${id}@Example.COM`, `alice.${id}@example.com`);
  });

  it("folds the Kelvin sign (U+212A) into k", async () => {
    const id = tag();
    await expectOneAccount(`\u212Aate.${id}@example.com`, `kate.${id}@example.com`);
  });

  it("stores NFD é (e + U+0301) as NFC é, one account with the NFC form", async () => {
    const id = tag();
    await expectOneAccount(`rene\u0301.${id}@example.com`, `ren\u00e9.${id}@example.com`);
    expect(await storedEmails(`ren%${id}@example.com`)).toEqual([`ren\u00e9.${id}@example.com`]);
  });

  it("folds full-width letters (NFKC)", async () => {
    const id = tag();
    await expectOneAccount(`\uff42\uff4f\uff42.${id}@example.com`, `bob.${id}@example.com`);
  });

  it('folds Turkish capital İ (U+0130) into plain i, not into "i" + combining dot', async () => {
    const id = tag();
    await expectOneAccount(`\u0130NFO.${id}@EXAMPLE.COM`, `info.${id}@example.com`);
    expect(await storedEmails(`%${id}@example.com`)).toEqual([`info.${id}@example.com`]);
  });

  it("trims spaces and no-break spaces around the address", async () => {
    const id = tag();
    await expectOneAccount(`  \u00a0Carol.${id}@example.com \u00a0`, `carol.${id}@example.com`);
  });
});

describe("forms that stay distinct", () => {
  it("keeps dotless ı (U+0131) its own letter: another account, and it never logs in to the i one", async () => {
    const id = tag();
    const dotted = await signUp({ email: `info.${id}@example.com` });
    const login = await call("POST", "/v1/login", {
      json: { email: `\u0131nfo.${id}@example.com`, password: PASSWORD },
    });
    expect(login.status).toBe(401);
    expect(await readJson(login)).toMatchObject({ code: "invalid_credentials" });

    const dotless = await signUpAs(`\u0130NFO.${id}@example.com`.replace("\u0130", "\u0131"));
    expect(dotless.status).toBe(201);
    expect(await storedEmails(`%nfo.${id}@example.com`)).toEqual([
      `info.${id}@example.com`,
      `\u0131nfo.${id}@example.com`,
    ]);
    expect(await readJson(dotless)).not.toMatchObject({ user: { id: dotted.userId } });
  });

  it("accepts an address in one non-Latin script (Cyrillic local part)", async () => {
    const id = tag();
    const response = await signUpAs(`\u0418\u0432\u0430\u043d.${id}@example.com`);
    expect(response.status).toBe(201);
    expect(await readJson(response)).toMatchObject({ user: { email: `\u0438\u0432\u0430\u043d.${id}@example.com` } });
  });
});

describe("forms that are refused", () => {
  const refused: [string, (id: string) => string][] = [
    ["CR LF with a header after it", (id) => `eve.${id}@example.com\r\nBcc: mallory@example.com`],
    ["a trailing CR LF (never trimmed away)", (id) => `eve.${id}@example.com\r\n`],
    ["a leading LF", (id) => `\neve.${id}@example.com`],
    ["a NUL inside", (id) => `eve\u0000.${id}@example.com`],
    ["a trailing NUL", (id) => `eve.${id}@example.com\u0000`],
    ["a tab at the end", (id) => `eve.${id}@example.com\t`],
    ["a zero-width space", (id) => `e\u200bve.${id}@example.com`],
    ["a space inside", (id) => `eve ${id}@example.com`],
    ["a Cyrillic а among Latin letters (pаypal)", (id) => `p\u0430ypal.${id}@example.com`],
    ["a Greek ο in a Latin domain label", (id) => `eve.${id}@ex\u03bfmple.com`],
    ["a local part of 65 octets", (id) => `${id}.${"a".repeat(64 - id.length)}@example.com`],
    ["a local part of 33 é (66 octets, 33 characters)", (id) => `${"\u00e9".repeat(33)}@${id}.example.com`],
    ["an address of 255 octets", (id) => addressOf(id, 255)],
    ["an address of 321 octets", (id) => addressOf(id, 321)],
  ];

  for (const [name, build] of refused) {
    it(`refuses ${name} at sign-up with 400 naming email, and stores nothing`, async () => {
      const id = tag();
      const email = build(id);
      await expectEmailRefused(await signUpAs(email));
      expect(await storedEmails(`%${id}%`)).toEqual([]);
    });
  }

  it("accepts the longest addresses the limits allow: 64-octet local part, 254 octets in all", async () => {
    const id = tag();
    const local = `${id}.${"a".repeat(63 - id.length)}`;
    expect(octetsOf(local)).toBe(64);
    const response = await signUpAs(addressOf(local, 254));
    expect(response.status).toBe(201);
    const accented = `${"\u00e9".repeat(32)}`;
    expect(octetsOf(accented)).toBe(64);
    expect((await signUpAs(`${accented}@${id}.example.com`)).status).toBe(201);
  });

  it("refuses a CR LF address at login (the same 401) and at email change (400 naming new_email)", async () => {
    const account = await signUp();
    const injected = `${account.email}\r\nBcc: mallory@example.com`;
    const login = await call("POST", "/v1/login", { json: { email: injected, password: PASSWORD } });
    expect(login.status).toBe(401);
    const change = await callAndSettle("POST", "/v1/email/change", {
      token: account.tokens.access_token,
      json: { new_email: `new.${tag()}@example.com\r\n`, password: PASSWORD },
    });
    await expectEmailRefused(change, "new_email");
    expect(await mailTo("mallory@example.com")).toEqual([]);
  });

  it("refuses as an email change the current address written another way (Kelvin sign, upper case)", async () => {
    const id = tag();
    const account = await signUp({ email: `kim.${id}@example.com` });
    for (const written of [`\u212Aim.${id}@example.com`, `KIM.${id}@EXAMPLE.com`]) {
      const change = await callAndSettle("POST", "/v1/email/change", {
        token: account.tokens.access_token,
        json: { new_email: written, password: PASSWORD },
      });
      await expectEmailRefused(change, "new_email");
    }
  });
});

describe("mail goes to the stored address", () => {
  async function forgot(email: string): Promise<void> {
    const response = await callAndSettle("POST", "/v1/password/forgot", { json: { email } });
    expect(response.status).toBe(202);
  }

  it("sends a reset asked for with a Kelvin-sign, upper-case, padded form to the stored form only", async () => {
    const id = tag();
    const stored = `kate.${id}@example.com`;
    await signUp({ email: stored });
    const written = `  \u212AATE.${id}@EXAMPLE.COM `;
    await forgot(written);
    const mails = await mailTo(stored, "reset_password");
    expect(mails).toHaveLength(1);
    expect(mails[0]?.to).toBe(stored);
    expect(await mailTo(written, "reset_password")).toEqual([]);
    expect(await mailTo(written.trim(), "reset_password")).toEqual([]);
  });

  it("sends a reset asked for with NFD and İ forms to the NFC, plain-i address stored at sign-up", async () => {
    const id = tag();
    const stored = `ir\u00e9ne.${id}@example.com`;
    await signUp({ email: `\u0130RE\u0301NE.${id}@example.com` });
    expect(await storedEmails(`%${id}@example.com`)).toEqual([stored]);
    await forgot(`ire\u0301ne.${id}@example.com`);
    await forgot(`\u0130R\u00c9NE.${id}@example.com`);
    const mails = await mailTo(stored, "reset_password");
    expect(mails).toHaveLength(2);
    expect(mails.every((mail) => mail.to === stored)).toBe(true);
  });

  it("sends nothing to anyone for a dotless-ı form of another account's address", async () => {
    const id = tag();
    const victim = `info.${id}@example.com`;
    await signUp({ email: victim });
    await forgot(`\u0131nfo.${id}@example.com`);
    await forgot(`\u0131NFO.${id}@example.com`);
    expect(await mailTo(victim)).toEqual([]);
    expect(await mailTo(`\u0131nfo.${id}@example.com`)).toEqual([]);
  });

  it("answers a header-injection address with the same 202 and mails nobody", async () => {
    const id = tag();
    const victim = `victim.${id}@example.com`;
    await signUp({ email: victim });
    await forgot(`${victim}\r\nBcc: mallory.${id}@example.com`);
    await forgot(`${victim}\n`);
    expect(await mailTo(victim)).toEqual([]);
    expect(await mailTo(`mallory.${id}@example.com`)).toEqual([]);
  });

  it("sends a verification resend asked for in another form to the stored address", async () => {
    const id = tag();
    const stored = `vera.${id}@example.com`;
    await signUp({ email: stored });
    const response = await callAndSettle("POST", "/v1/email/verify/resend", {
      json: { email: ` VERA.${id}@Example.Com` },
    });
    expect(response.status).toBe(202);
    const mails = await mailTo(stored, "verify_email");
    expect(mails.length).toBeGreaterThanOrEqual(1);
    expect(mails.every((mail) => mail.to === stored)).toBe(true);
  });
});
