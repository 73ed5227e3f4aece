// The outbound seam on its own: a request whose answer the caller needs (what social login's token
// and userinfo requests will use), its deadline, how answers classify, and the one log line.
import { afterEach, describe, expect, it, type MockInstance, vi } from "vitest";
import { type ProviderRequest, requestProviderJson } from "../src/outbound/provider-request";

const SECRET = "client-secret-7c1d9e4b2a";
const TOKEN_REQUEST: Omit<ProviderRequest, "fetch"> = {
  provider: "example-idp",
  kind: "token",
  url: "https://idp.example.com/oauth/token",
  init: {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
    body: new URLSearchParams({
      grant_type: "authorization_code",
      code: "auth-code-123",
      client_secret: SECRET,
    }).toString(),
  },
  timeoutMs: 5000,
};

type FetchSpy = MockInstance<typeof fetch>;

function answerWith(response: () => Response): FetchSpy {
  return vi.spyOn(globalThis, "fetch").mockImplementation(async () => response());
}

function request(overrides: Partial<ProviderRequest> = {}) {
  // Late-bound so the spy installed by each test is what the seam calls.
  return requestProviderJson({ ...TOKEN_REQUEST, fetch: (input, init) => fetch(input, init), ...overrides });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe("requestProviderJson", () => {
  it("sends the request as built, with a deadline, and returns the parsed JSON body of a 2xx", async () => {
    const spy = answerWith(() => Response.json({ access_token: "at-1", token_type: "Bearer" }));
    expect(await request()).toEqual({ ok: true, status: 200, body: { access_token: "at-1", token_type: "Bearer" } });
    expect(spy).toHaveBeenCalledTimes(1);
    const [input, init] = spy.mock.calls[0] ?? [];
    expect(init?.signal).toBeInstanceOf(AbortSignal);
    const sent = new Request(input ?? "", init);
    expect(sent.url).toBe("https://idp.example.com/oauth/token");
    expect(sent.method).toBe("POST");
    expect(sent.headers.get("Content-Type")).toBe("application/x-www-form-urlencoded");
    expect(Object.fromEntries(new URLSearchParams(await sent.text()))).toEqual({
      grant_type: "authorization_code",
      code: "auth-code-123",
      client_secret: SECRET,
    });
  });

  it("sends a GET without a body (userinfo)", async () => {
    const spy = answerWith(() => Response.json({ sub: "u-1", email: "ada@example.com" }));
    const answer = await request({
      kind: "userinfo",
      url: "https://idp.example.com/userinfo",
      init: { method: "GET", headers: { Authorization: "Bearer at-1" } },
    });
    expect(answer).toMatchObject({ ok: true, body: { sub: "u-1" } });
    expect(spy.mock.calls[0]?.[1]?.method).toBe("GET");
    expect(spy.mock.calls[0]?.[1]?.body).toBeUndefined();
  });

  it.each([
    [401, "unauthorized", false],
    [400, "rejected", false],
    [429, "rate_limited", true],
    [503, "unavailable", true],
  ] as const)("answers HTTP %i as %s (retryable: %s), the error body unread", async (status, failure, retryable) => {
    answerWith(() => Response.json({ error: "invalid_grant" }, { status }));
    expect(await request()).toEqual({ ok: false, failure, retryable, status });
  });

  it("counts a 2xx that is not JSON as unavailable: the provider did not answer what it documents", async () => {
    answerWith(() => new Response("<html>maintenance</html>", { status: 200 }));
    expect(await request()).toEqual({ ok: false, failure: "unavailable", retryable: true, status: 200 });
  });

  it("aborts a provider that does not answer within timeoutMs", async () => {
    vi.spyOn(globalThis, "fetch").mockImplementation(
      (_input, init) =>
        new Promise<Response>((_resolve, reject) => {
          init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
        }),
    );
    expect(await request({ timeoutMs: 50 })).toEqual({ ok: false, failure: "unavailable", retryable: true });
  });

  it("logs provider, kind, status and outcome, never the secret, the code or a body", async () => {
    const lines: string[] = [];
    const capture = (...args: unknown[]) => void lines.push(args.map(String).join(" "));
    for (const level of ["log", "warn", "error", "info", "debug"] as const) {
      vi.spyOn(console, level).mockImplementation(capture);
    }
    answerWith(() => Response.json({ access_token: "at-secret-1" }));
    await request();
    answerWith(() => Response.json({ error_description: "bad code auth-code-123" }, { status: 400 }));
    await request();
    expect(lines).toEqual([
      JSON.stringify({ event: "provider_request", provider: "example-idp", kind: "token", status: 200, outcome: "ok" }),
      JSON.stringify({
        event: "provider_request",
        provider: "example-idp",
        kind: "token",
        status: 400,
        outcome: "rejected",
      }),
    ]);
    for (const secret of [SECRET, "auth-code-123", "at-secret-1"]) expect(lines.join("\n")).not.toContain(secret);
  });
});
