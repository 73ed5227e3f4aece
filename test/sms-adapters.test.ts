// The SMS adapters: the exact request each provider's API documents, how its failures map, and the
// dev outbox that keeps texts beside mail. The SMS config is test/sms-config.test.ts's.
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, type MockInstance, vi } from "vitest";
import { createApp } from "../src/app";
import type { SmsConfig } from "../src/config";
import { createSmsSender } from "../src/sms/create-sms-sender";
import type { SmsMessage } from "../src/sms/sms-sender";
import { renderSms } from "../src/sms/sms-templates";
import { listOutbox } from "../src/storage/kv/outbox-store";

const ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef";
const AUTH_TOKEN = "twilio-auth-token-5f4e3d2c1b";
const VONAGE_KEY = "a1b2c3d4";
const VONAGE_SECRET = "VonageS3cretXyz";
const MESSAGE: SmsMessage = renderSms(
  { kind: "verify_phone", code: "482913", expiresInMinutes: 10 },
  "+14155552671",
  "Acme",
  "https://auth.acme.test",
);

function smsConfig(overrides: Partial<SmsConfig>): SmsConfig {
  return {
    provider: "twilio",
    from: "+15005550006",
    twilio: { accountSid: ACCOUNT_SID, authToken: AUTH_TOKEN },
    vonage: { apiKey: VONAGE_KEY, apiSecret: VONAGE_SECRET },
    timeoutMs: 5000,
    ...overrides,
  };
}

function send(overrides: Partial<SmsConfig>, message: SmsMessage = MESSAGE) {
  // Late-bound so the spy installed by each test is what the adapter calls.
  const sender = createSmsSender(smsConfig(overrides), {
    fetch: (input, init) => fetch(input, init),
    kv: env.KV,
    printSecrets: false,
  });
  return sender.send(message);
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

/** The form-encoded body as [name, value] pairs, in order. */
async function formOf(request: Request): Promise<[string, string][]> {
  return [...(await request.formData()).entries()].map(([name, value]) => [name, String(value)]);
}

const vonageAnswer = (status: string, id = "0C000000217B7F02") =>
  Response.json({ "message-count": "1", messages: [{ to: "14155552671", "message-id": id, status }] });

afterEach(() => {
  vi.restoreAllMocks();
});

describe("the SMS text", () => {
  it("starts with the code, says how long it lasts and ends with the origin-bound @host #code line", () => {
    expect(MESSAGE).toEqual({
      to: "+14155552671",
      kind: "verify_phone",
      body: "482913 is your Acme code to verify this phone number. It expires in 10 minutes.\n\n@auth.acme.test #482913",
      meta: { code: "482913" },
    });
  });
});

describe("provider requests", () => {
  it("Twilio: POSTs form To/From/Body to the account's Messages.json with Basic AccountSid:AuthToken", async () => {
    const spy = answerWith(() => Response.json({ sid: "SM1234567890abcdef", status: "queued" }, { status: 201 }));
    expect(await send({ provider: "twilio" })).toEqual({ ok: true, providerId: "SM1234567890abcdef" });
    const request = sentRequest(spy);
    expect(request.url).toBe(`https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`);
    expect(request.method).toBe("POST");
    expect(request.headers.get("Authorization")).toBe(`Basic ${btoa(`${ACCOUNT_SID}:${AUTH_TOKEN}`)}`);
    expect(request.headers.get("Content-Type")).toBe("application/x-www-form-urlencoded");
    expect(await formOf(request)).toEqual([
      ["To", "+14155552671"],
      ["From", "+15005550006"],
      ["Body", MESSAGE.body],
    ]);
  });

  it("Twilio: sends MessagingServiceSid instead of From when SMS_FROM is a Messaging Service SID", async () => {
    const service = "MG0123456789abcdef0123456789abcdef";
    const spy = answerWith(() => Response.json({ sid: "SM1" }, { status: 201 }));
    await send({ provider: "twilio", from: service });
    const form = new URLSearchParams(await formOf(sentRequest(spy)));
    expect(form.get("MessagingServiceSid")).toBe(service);
    expect(form.has("From")).toBe(false);
  });

  it("Vonage: POSTs form api_key/api_secret/from/to/text to rest.nexmo.com/sms/json, numbers without +", async () => {
    const spy = answerWith(() => vonageAnswer("0"));
    expect(await send({ provider: "vonage" })).toEqual({ ok: true, providerId: "0C000000217B7F02" });
    const request = sentRequest(spy);
    expect(request.url).toBe("https://rest.nexmo.com/sms/json");
    expect(request.method).toBe("POST");
    expect(request.headers.get("Authorization")).toBeNull();
    expect(request.headers.get("Content-Type")).toBe("application/x-www-form-urlencoded");
    expect(await formOf(request)).toEqual([
      ["api_key", VONAGE_KEY],
      ["api_secret", VONAGE_SECRET],
      ["from", "15005550006"],
      ["to", "14155552671"],
      ["text", MESSAGE.body],
    ]);
  });

  it("Vonage: asks for type=unicode when the text is not plain ASCII", async () => {
    const spy = answerWith(() => vonageAnswer("0"));
    await send({ provider: "vonage", from: "Acme" }, { ...MESSAGE, body: "123456 est votre code Société" });
    const form = new URLSearchParams(await formOf(sentRequest(spy)));
    expect(form.get("type")).toBe("unicode");
    expect(form.get("from")).toBe("Acme");
  });
});

const STATUS_OUTCOMES = [
  [401, "unauthorized", false],
  [403, "unauthorized", false],
  [400, "rejected", false],
  [429, "rate_limited", true],
  [500, "unavailable", true],
  [503, "unavailable", true],
] as const;

describe.each(["twilio", "vonage"] as const)("%s failures", (provider) => {
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

describe("Vonage refusals inside a 200 answer", () => {
  it.each([
    ["1", "rate_limited", true],
    ["4", "unauthorized", false],
    ["5", "unavailable", true],
    ["3", "rejected", false],
    ["7", "rejected", false],
  ] as const)("maps message status %s to %s (retryable: %s)", async (status, failure, retryable) => {
    answerWith(() => vonageAnswer(status));
    expect(await send({ provider: "vonage" })).toEqual({ ok: false, failure, retryable });
  });

  it("does not count a 200 without a readable status as sent", async () => {
    answerWith(() => new Response("<html>gateway</html>", { status: 200 }));
    expect(await send({ provider: "vonage" })).toEqual({ ok: false, failure: "unavailable", retryable: true });
  });
});

describe("logging", () => {
  it("logs provider, kind and status, never the credentials, the number, the text or the code", async () => {
    const lines: string[] = [];
    const capture = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
    for (const level of ["log", "warn", "error", "info", "debug"] as const) {
      vi.spyOn(console, level).mockImplementation(capture);
    }
    for (const provider of ["twilio", "vonage"] as const) {
      answerWith(() => (provider === "twilio" ? Response.json({ sid: "SM1" }, { status: 201 }) : vonageAnswer("0")));
      await send({ provider });
      answerWith(() => Response.json({ echoed: MESSAGE.body }, { status: 400 }));
      await send({ provider });
    }
    const logged = lines.join("\n");
    expect(logged).toContain('"provider":"vonage"');
    expect(logged).toContain('"kind":"verify_phone"');
    expect(logged).toContain('"status":400');
    for (const secret of [AUTH_TOKEN, VONAGE_SECRET, btoa(`${ACCOUNT_SID}:${AUTH_TOKEN}`), "482913", "4155552671"]) {
      expect(logged).not.toContain(secret);
    }
  });
});

describe("the dev outbox for SMS", () => {
  const number = () => `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, "0")}`;

  it("keeps the text beside mail with channel sms, makes no outbound request, and prints the code only when asked", async () => {
    const fetchSpy = vi.spyOn(globalThis, "fetch");
    const lines: string[] = [];
    vi.spyOn(console, "log").mockImplementation((...args: unknown[]) => void lines.push(args.join(" ")));
    const to = number();
    const outbox = (printSecrets: boolean) =>
      createSmsSender(smsConfig({ provider: "outbox" }), { fetch, kv: env.KV, printSecrets });
    expect(await outbox(false).send({ ...MESSAGE, to })).toMatchObject({ ok: true });
    expect(await outbox(true).send({ ...MESSAGE, to, meta: { code: "777777" } })).toMatchObject({ ok: true });
    expect(fetchSpy).not.toHaveBeenCalled();
    const entries = (await listOutbox(env.KV, 100)).filter((entry) => entry.to === to);
    expect(entries.map((entry) => [entry.channel, entry.kind, entry.code])).toEqual([
      ["sms", "verify_phone", "777777"],
      ["sms", "verify_phone", "482913"],
    ]);
    expect(entries[1]).toMatchObject({ subject: "", html: "", text: MESSAGE.body });
    expect(lines.find((line) => line.includes(to) && !line.includes("code="))).toBeDefined();
    expect(lines.join("\n")).not.toContain("482913");
    expect(lines.join("\n")).toContain("code=777777");
  });

  it("shows in GET /dev/outbox beside mail, as JSON and as an escaped HTML page", async () => {
    const to = number();
    const sender = createSmsSender(smsConfig({ provider: "outbox" }), { fetch, kv: env.KV, printSecrets: false });
    await sender.send({ ...MESSAGE, to, body: "<b>bold</b> 135790", meta: { code: "135790" } });
    const devEnv = { ...env, DEV_OUTBOX: "true", ISSUER: "http://localhost:8787" };
    const app = createApp();
    const get = (accept: string) =>
      app.fetch(new Request("http://localhost:8787/dev/outbox", { headers: { Accept: accept } }), devEnv);
    const { messages } = await (await get("application/json")).json<{ messages: { to: string; channel: string }[] }>();
    expect(messages.find((entry) => entry.to === to)).toMatchObject({ channel: "sms", code: "135790" });
    const page = await (await get("text/html")).text();
    expect(page).toContain(to);
    expect(page).toContain("&lt;b&gt;bold&lt;/b&gt; 135790");
  });
});
