import { env, exports } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createApp } from "../src/app";
import { parseMailConfig } from "../src/config/mail-env";
import { createMailer } from "../src/mail/create-mailer";
import { createDevOutboxMailer } from "../src/mail/dev-outbox";
import { renderMail } from "../src/mail/templates";
import { listOutbox, type OutboxEntry } from "../src/storage/kv/outbox-store";
import { uniqueEmail } from "./support/accounts";
import { freezeClock } from "./support/clock";

const LINK = "https://app.test/verify?token=tok-abc";
const DEV_ENV = { ...env, DEV_OUTBOX: "true", ISSUER: "http://localhost:8787" };

function verifyMail(to: string, code: string) {
  return renderMail({ kind: "verify_email", code, link: `${LINK}-${code}`, expiresInMinutes: 10 }, to, "Acme");
}

/** Entries for these addresses only: other test files may keep mail in the same outbox. */
async function outboxFor(...addresses: string[]): Promise<OutboxEntry[]> {
  return (await listOutbox(env.KV, 100)).filter((entry) => addresses.includes(entry.to));
}

/** Through the whole app, whose service context (built from `bindings`) says whether DEV_OUTBOX is on. */
const app = createApp();

async function getOutbox(bindings: object, headers: Record<string, string> = {}): Promise<Response> {
  return app.fetch(new Request("http://localhost:8787/dev/outbox", { headers }), bindings);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("dev outbox mailer", () => {
  it("keeps each message in KV and lists them newest first", async () => {
    const [first, second, third] = [uniqueEmail(), uniqueEmail(), uniqueEmail()];
    const base = Date.now() + 60_000;
    const times = [base, base + 2000, base + 1000];
    const mailer = createDevOutboxMailer({ kv: env.KV, printSecrets: false, now: () => times.shift() ?? 0 });
    for (const [to, code] of [
      [first, "111111"],
      [second, "222222"],
      [third, "333333"],
    ] as const) {
      expect(await mailer.send(verifyMail(to, code))).toMatchObject({ ok: true });
    }
    const entries = await outboxFor(first, second, third);
    expect(entries.map((entry) => entry.to)).toEqual([second, third, first]);
    expect(entries[0]).toMatchObject({
      kind: "verify_email",
      subject: "Verify your email for Acme",
      code: "222222",
      link: `${LINK}-222222`,
      created_at: Math.floor((base + 2000) / 1000),
    });
    expect(entries[0]?.text).toContain("Your code: 222222");
    expect(entries[0]?.html).toContain("222222");
  });

  it("lists messages kept in the same millisecond newest first", async () => {
    freezeClock();
    const to = uniqueEmail();
    const mailer = createDevOutboxMailer({ kv: env.KV, printSecrets: false });
    for (const code of ["100001", "100002", "100003"]) await mailer.send(verifyMail(to, code));
    expect((await outboxFor(to)).map((entry) => entry.code)).toEqual(["100003", "100002", "100001"]);
  });

  it("stores under the outbox: prefix with a one-day TTL", async () => {
    const to = uniqueEmail();
    const sent = await createDevOutboxMailer({ kv: env.KV, printSecrets: false }).send(verifyMail(to, "444444"));
    const id = sent.ok ? sent.providerId : undefined;
    const { keys } = await env.KV.list({ prefix: "outbox:" });
    const key = keys.find((candidate) => candidate.name.endsWith(`:${id}`));
    expect(key?.name).toMatch(/^outbox:\d{13}:\d{6}:[0-9a-f-]{36}$/);
    const nowSeconds = Date.now() / 1000;
    expect(key?.expiration).toBeGreaterThan(nowSeconds + 86_000);
    expect(key?.expiration).toBeLessThan(nowSeconds + 86_500);
  });

  it("prints to and subject, and the code and link only when DEV_OUTBOX is on", async () => {
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void lines.push(args.join(" ")));
    const to = uniqueEmail();
    await createDevOutboxMailer({ kv: env.KV, printSecrets: false }).send(verifyMail(to, "555555"));
    await createDevOutboxMailer({ kv: env.KV, printSecrets: true }).send(verifyMail(to, "666666"));
    expect(lines[0]).toContain(to);
    expect(lines[0]).toContain("Verify your email for Acme");
    expect(lines[0]).not.toContain("555555");
    expect(lines[0]).not.toContain(LINK);
    expect(lines[1]).toContain("code=666666");
    expect(lines[1]).toContain(`link=${LINK}-666666`);
  });

  it("is what createMailer picks for MAIL_PROVIDER=outbox, and it makes no outbound request", async () => {
    const fetchSpy = vi.spyOn(globalThis, "fetch");
    const mailer = createMailer(parseMailConfig({ MAIL_PROVIDER: "outbox" }), {
      fetch: (input, init) => fetch(input, init),
      kv: env.KV,
      printSecrets: false,
    });
    const to = uniqueEmail();
    expect(await mailer.send(verifyMail(to, "777777"))).toMatchObject({ ok: true });
    expect(fetchSpy).not.toHaveBeenCalled();
    expect((await outboxFor(to)).map((entry) => entry.code)).toEqual(["777777"]);
  });

  it("lists at most the requested number of messages", async () => {
    const mailer = createDevOutboxMailer({ kv: env.KV, printSecrets: false });
    for (const code of ["1", "2", "3"]) await mailer.send(verifyMail(uniqueEmail(), code));
    expect(await listOutbox(env.KV, 2)).toHaveLength(2);
  });
});

describe("GET /dev/outbox", () => {
  it("answers 404 not_found, like an unknown path, unless DEV_OUTBOX is on", async () => {
    const disabled = await getOutbox(env, { Accept: "application/json" });
    expect(disabled.status).toBe(404);
    expect(disabled.headers.get("Content-Type")).toBe("application/problem+json");
    const body = await disabled.json();
    expect(body).toMatchObject({ status: 404, code: "not_found" });
    const unknown = await exports.default.fetch("https://auth.test/no-such-page");
    expect(await unknown.json()).toEqual(body);
    const throughWorker = await exports.default.fetch("https://auth.test/dev/outbox");
    expect(throughWorker.status).toBe(404);
  });

  it("answers JSON newest first with codes and links for Accept: application/json", async () => {
    const [older, newer] = [uniqueEmail(), uniqueEmail()];
    const base = Date.now() + 120_000;
    const times = [base, base + 1000];
    const mailer = createDevOutboxMailer({ kv: env.KV, printSecrets: false, now: () => times.shift() ?? 0 });
    await mailer.send(verifyMail(older, "121212"));
    await mailer.send(verifyMail(newer, "343434"));
    const response = await getOutbox(DEV_ENV, { Accept: "application/json" });
    expect(response.status).toBe(200);
    expect(response.headers.get("Cache-Control")).toBe("no-store");
    const { messages } = await response.json<{ messages: OutboxEntry[] }>();
    const mine = messages.filter((entry) => entry.to === older || entry.to === newer);
    expect(mine.map((entry) => [entry.to, entry.code, entry.link])).toEqual([
      [newer, "343434", `${LINK}-343434`],
      [older, "121212", `${LINK}-121212`],
    ]);
  });

  it("answers an HTML page by default, with every stored value escaped and no script allowed", async () => {
    const to = `"><script>alert(1)</script>${uniqueEmail()}`;
    const message = renderMail(
      { kind: "verify_email", code: "565656", link: LINK, expiresInMinutes: 10 },
      to,
      "<script>steal()</script>",
    );
    await createDevOutboxMailer({ kv: env.KV, printSecrets: false }).send(message);
    const response = await getOutbox(DEV_ENV, { Accept: "text/html,application/xhtml+xml,*/*;q=0.8" });
    expect(response.status).toBe(200);
    expect(response.headers.get("Content-Type")).toMatch(/^text\/html/);
    expect(response.headers.get("Content-Security-Policy")).toContain("default-src 'none'");
    const page = await response.text();
    expect(page).not.toMatch(/<script/i);
    expect(page).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(page).toContain("565656");
    expect(page).toContain(`<a href="${LINK}">`);
  });
});
