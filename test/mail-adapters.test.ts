import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, type MockInstance, vi } from "vitest";
import type { MailConfig } from "../src/config";
import { createMailer } from "../src/mail/create-mailer";
import type { MailMessage } from "../src/mail/mailer";

const KEY = "key-3f9a0c1e5b7d2a4c6e8f";
const FROM = "Acme <no-reply@acme.test>";
const MESSAGE: MailMessage = {
  to: "ada@example.com",
  subject: "Verify your email for Acme",
  text: "Your code: 482913\n\nVerify my email: https://app.test/verify?token=tok-abc\n",
  html: '<p>482913</p><a href="https://app.test/verify?token=tok-abc">Verify</a>',
  kind: "verify_email",
  meta: { code: "482913", link: "https://app.test/verify?token=tok-abc" },
};

function mailConfig(overrides: Partial<MailConfig>): MailConfig {
  return {
    provider: "resend",
    apiKey: KEY,
    from: FROM,
    productName: "Acme",
    mailgunDomain: "mg.acme.test",
    mailgunRegion: "us",
    timeoutMs: 5000,
    ...overrides,
  };
}

function send(overrides: Partial<MailConfig>, message: MailMessage = MESSAGE) {
  // Late-bound so the spy installed by each test is what the adapter calls.
  const mailer = createMailer(mailConfig(overrides), {
    fetch: (input, init) => fetch(input, init),
    kv: env.KV,
    printSecrets: false,
  });
  return mailer.send(message);
}

type FetchSpy = MockInstance<typeof fetch>;

function answerWith(response: () => Response): FetchSpy {
  return vi.spyOn(globalThis, "fetch").mockImplementation(async () => response());
}

function sentRequest(spy: FetchSpy): Request {
  expect(spy).toHaveBeenCalledTimes(1);
  const [input, init] = spy.mock.calls[0] ?? [];
  if (input === undefined) throw new Error("fetch was not called");
  expect(init?.signal).toBeInstanceOf(AbortSignal);
  return new Request(input, init);
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("provider requests", () => {
  it("Resend: POSTs JSON from/to/subject/html/text to api.resend.com/emails with a Bearer key", async () => {
    const spy = answerWith(() => Response.json({ id: "49a3999c-0ce1-4ea6-ab68-afcd6dc2e794" }));
    expect(await send({ provider: "resend" })).toEqual({
      ok: true,
      providerId: "49a3999c-0ce1-4ea6-ab68-afcd6dc2e794",
    });
    const request = sentRequest(spy);
    expect(request.url).toBe("https://api.resend.com/emails");
    expect(request.method).toBe("POST");
    expect(request.headers.get("Authorization")).toBe(`Bearer ${KEY}`);
    expect(request.headers.get("Content-Type")).toBe("application/json");
    expect(await request.json()).toEqual({
      from: FROM,
      to: ["ada@example.com"],
      subject: MESSAGE.subject,
      html: MESSAGE.html,
      text: MESSAGE.text,
    });
  });

  it("Postmark: POSTs JSON to api.postmarkapp.com/email with the server token header and the outbound stream", async () => {
    const spy = answerWith(() => Response.json({ ErrorCode: 0, Message: "OK", MessageID: "b7bc2f4a-e38e-4336" }));
    expect(await send({ provider: "postmark" })).toEqual({ ok: true, providerId: "b7bc2f4a-e38e-4336" });
    const request = sentRequest(spy);
    expect(request.url).toBe("https://api.postmarkapp.com/email");
    expect(request.method).toBe("POST");
    expect(request.headers.get("X-Postmark-Server-Token")).toBe(KEY);
    expect(request.headers.get("Authorization")).toBeNull();
    expect(request.headers.get("Accept")).toBe("application/json");
    expect(request.headers.get("Content-Type")).toBe("application/json");
    expect(await request.json()).toEqual({
      From: FROM,
      To: "ada@example.com",
      Subject: MESSAGE.subject,
      TextBody: MESSAGE.text,
      HtmlBody: MESSAGE.html,
      MessageStream: "outbound",
    });
  });

  it("SendGrid: POSTs v3 JSON with text/plain before text/html and reads the id from X-Message-Id", async () => {
    const spy = answerWith(() => new Response(null, { status: 202, headers: { "X-Message-Id": "sg-msg-1" } }));
    expect(await send({ provider: "sendgrid" })).toEqual({ ok: true, providerId: "sg-msg-1" });
    const request = sentRequest(spy);
    expect(request.url).toBe("https://api.sendgrid.com/v3/mail/send");
    expect(request.method).toBe("POST");
    expect(request.headers.get("Authorization")).toBe(`Bearer ${KEY}`);
    expect(request.headers.get("Content-Type")).toBe("application/json");
    expect(await request.json()).toEqual({
      personalizations: [{ to: [{ email: "ada@example.com" }] }],
      from: { email: "no-reply@acme.test", name: "Acme" },
      subject: MESSAGE.subject,
      content: [
        { type: "text/plain", value: MESSAGE.text },
        { type: "text/html", value: MESSAGE.html },
      ],
    });
  });

  it.each([
    ["us", "https://api.mailgun.net/v3/mg.acme.test/messages"],
    ["eu", "https://api.eu.mailgun.net/v3/mg.acme.test/messages"],
  ] as const)("Mailgun (%s): POSTs form data to the domain's messages URL with Basic api:key", async (region, url) => {
    const spy = answerWith(() => Response.json({ id: "<20240101.1@mg.acme.test>", message: "Queued. Thank you." }));
    expect(await send({ provider: "mailgun", mailgunRegion: region })).toEqual({
      ok: true,
      providerId: "<20240101.1@mg.acme.test>",
    });
    const request = sentRequest(spy);
    expect(request.url).toBe(url);
    expect(request.method).toBe("POST");
    expect(request.headers.get("Authorization")).toBe(`Basic ${btoa(`api:${KEY}`)}`);
    expect(request.headers.get("Content-Type")).toMatch(/^multipart\/form-data; boundary=/);
    const form = await request.formData();
    expect([...form.entries()]).toEqual([
      ["from", FROM],
      ["to", "ada@example.com"],
      ["subject", MESSAGE.subject],
      ["text", MESSAGE.text],
      ["html", MESSAGE.html],
    ]);
  });
});

const PROVIDERS = ["resend", "postmark", "sendgrid", "mailgun"] as const;
const STATUS_OUTCOMES = [
  [401, "unauthorized", false],
  [403, "unauthorized", false],
  [400, "rejected", false],
  [422, "rejected", false],
  [429, "rate_limited", true],
  [500, "unavailable", true],
  [503, "unavailable", true],
] as const;

describe.each(PROVIDERS)("%s provider failures", (provider) => {
  it.each(STATUS_OUTCOMES)("maps HTTP %i to %s (retryable: %s)", async (status, failure, retryable) => {
    answerWith(() => Response.json({ message: "provider says no", to: MESSAGE.to }, { status }));
    expect(await send({ provider })).toEqual({ ok: false, failure, retryable, status });
  });

  it("maps a network error to unavailable and retryable", async () => {
    vi.spyOn(globalThis, "fetch").mockRejectedValue(new TypeError("Network connection lost."));
    expect(await send({ provider })).toEqual({ ok: false, failure: "unavailable", retryable: true });
  });

  it("aborts a provider that does not answer within timeoutMs and reports unavailable", async () => {
    const spy = vi.spyOn(globalThis, "fetch").mockImplementation(
      (_input, init) =>
        new Promise<Response>((_resolve, reject) => {
          init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
        }),
    );
    const started = Date.now();
    expect(await send({ provider, timeoutMs: 50 })).toEqual({ ok: false, failure: "unavailable", retryable: true });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(spy).toHaveBeenCalledTimes(1);
  });
});

describe("logging", () => {
  it("logs provider, kind and status, never the key, the bodies, the code or the link", async () => {
    const lines: string[] = [];
    const capture = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
    for (const level of ["log", "warn", "error", "info", "debug"] as const) {
      vi.spyOn(console, level).mockImplementation(capture);
    }
    for (const provider of PROVIDERS) {
      answerWith(() => Response.json({ id: "x" }, { status: 200 }));
      await send({ provider });
      answerWith(() => Response.json({ echoed: MESSAGE.html }, { status: 422 }));
      await send({ provider });
    }
    const logged = lines.join("\n");
    expect(logged).toContain('"provider":"mailgun"');
    expect(logged).toContain('"kind":"verify_email"');
    expect(logged).toContain('"status":422');
    for (const secret of [KEY, btoa(`api:${KEY}`), "482913", "tok-abc", MESSAGE.to, "provider says no"]) {
      expect(logged).not.toContain(secret);
    }
  });
});
