// Cross-origin rules: CORS only for the configured allowlist, and in cookie mode the refresh token
// lives only in a __Host- HttpOnly cookie that cross-site pages cannot use (CSRF, login CSRF).
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { countRows, PASSWORD, sessionOf, uniqueEmail } from "./support/accounts";
import { APP_ORIGIN, buildRequest, type CallOptions, call, readJson } from "./support/http";

const HOSTILE_ORIGINS = [
  "https://evil.test",
  "null",
  "https://app.test.evil.test",
  "https://evilapp.test",
  "http://app.test",
  "https://app.test:8443",
];
const COOKIE_NAME = "__Host-edge-auth-refresh";

/** The same bindings with the refresh token moved into a cookie; one object, so its context is cached. */
const cookieEnv = { ...env, REFRESH_TOKEN_TRANSPORT: "cookie" };

/** Runs the Worker's own fetch handler with the cookie-mode bindings. */
async function fetchInCookieMode(request: Request): Promise<Response> {
  const worker = (await import("../src/index")).default;
  const context = createExecutionContext();
  const response = await worker.fetch(request as Request<unknown, IncomingRequestCfProperties>, cookieEnv, context);
  await waitOnExecutionContext(context);
  return response;
}

function callInCookieMode(
  method: string,
  path: string,
  options: CallOptions & { origin?: string; cookie?: string } = {},
): Promise<Response> {
  const { origin, cookie, ...rest } = options;
  const headers: Record<string, string> = { ...rest.headers };
  if (origin !== undefined) headers.Origin = origin;
  if (cookie !== undefined) headers.Cookie = `${COOKIE_NAME}=${cookie}`;
  return fetchInCookieMode(buildRequest(method, path, { ...rest, headers }));
}

const preflightHeaders = (origin: string) => ({
  Origin: origin,
  "Access-Control-Request-Method": "POST",
  "Access-Control-Request-Headers": "content-type, authorization",
});

const preflight = (origin: string, path: string) =>
  buildRequest("OPTIONS", path, { headers: preflightHeaders(origin) });

/** The refresh cookie a response sets, with its attributes. */
function refreshCookieOf(response: Response): { value: string; attributes: string[] } | null {
  const header = response.headers.getSetCookie().find((cookie) => cookie.startsWith(`${COOKIE_NAME}=`));
  if (!header) return null;
  const [pair = "", ...attributes] = header.split(";").map((part) => part.trim());
  return { value: decodeURIComponent(pair.slice(COOKIE_NAME.length + 1)), attributes };
}

async function rotatedTokenCount(): Promise<number> {
  const row = await env.DB.prepare("select count(*) as n from refresh_tokens where rotated_at is not null").first<{
    n: number;
  }>();
  return row?.n ?? 0;
}

/** Signs up in cookie mode from the app's origin and returns the access token and refresh cookie. */
async function signUpInCookieMode(): Promise<{ accessToken: string; cookie: string; email: string }> {
  const email = uniqueEmail("cookie");
  const response = await callInCookieMode("POST", "/v1/signup", {
    origin: APP_ORIGIN,
    json: { email, password: PASSWORD },
  });
  expect(response.status).toBe(201);
  const cookie = refreshCookieOf(response);
  expect(cookie).not.toBeNull();
  const body = await readJson<{ access_token: string }>(response);
  return { accessToken: body.access_token, cookie: cookie?.value ?? "", email };
}

describe("CORS", () => {
  it("answers a preflight from the allowlisted origin with that origin, never *", async () => {
    const response = await call("OPTIONS", "/v1/login", {
      headers: preflightHeaders(APP_ORIGIN),
    });
    expect(response.status).toBe(204);
    expect(response.headers.get("Access-Control-Allow-Origin")).toBe(APP_ORIGIN);
    expect(response.headers.get("Access-Control-Allow-Methods")).toContain("POST");
    expect(response.headers.get("Access-Control-Allow-Headers")?.toLowerCase()).toContain("authorization");
    expect(response.headers.get("Vary")).toContain("Origin");
    expect(response.headers.get("Access-Control-Allow-Credentials")).toBeNull();
  });

  it("names the allowlisted origin on actual responses, errors included", async () => {
    const ok = await call("POST", "/v1/token/verify", { json: { token: "garbage" }, headers: { Origin: APP_ORIGIN } });
    expect(ok.status).toBe(200);
    expect(ok.headers.get("Access-Control-Allow-Origin")).toBe(APP_ORIGIN);
    expect(ok.headers.get("Vary")).toContain("Origin");

    const refused = await call("GET", "/v1/me", { headers: { Origin: APP_ORIGIN } });
    expect(refused.status).toBe(401);
    expect(refused.headers.get("Access-Control-Allow-Origin")).toBe(APP_ORIGIN);
  });

  it.each(HOSTILE_ORIGINS)("gives %s no Access-Control-Allow-Origin, on preflight or response", async (origin) => {
    const preflightResponse = await call("OPTIONS", "/v1/login", {
      headers: preflightHeaders(origin),
    });
    expect(preflightResponse.headers.get("Access-Control-Allow-Origin")).toBeNull();
    const response = await call("POST", "/v1/token/verify", {
      json: { token: "garbage" },
      headers: { Origin: origin },
    });
    expect(response.headers.get("Access-Control-Allow-Origin")).toBeNull();
  });

  it("never answers * whether an Origin is sent or not", async () => {
    const variants: Record<string, string>[] = [{}, { Origin: APP_ORIGIN }, { Origin: "https://evil.test" }];
    for (const headers of variants) {
      const response = await call("GET", "/health", { headers });
      expect(response.headers.get("Access-Control-Allow-Origin")).not.toBe("*");
    }
  });
});

describe("cookie mode", () => {
  it("sets the refresh token on sign-up only as a __Host- HttpOnly Secure SameSite=Strict cookie", async () => {
    const email = uniqueEmail("cookie");
    const response = await callInCookieMode("POST", "/v1/signup", {
      origin: APP_ORIGIN,
      json: { email, password: PASSWORD },
    });
    expect(response.status).toBe(201);
    const body = await readJson(response);
    expect(body).not.toHaveProperty("refresh_token");
    expect(body).toMatchObject({ token_type: "Bearer", user: { email } });

    const cookie = refreshCookieOf(response);
    expect(cookie?.value.length).toBeGreaterThanOrEqual(43);
    expect(cookie?.attributes).toEqual(expect.arrayContaining(["HttpOnly", "Secure", "SameSite=Strict", "Path=/"]));
    expect(cookie?.attributes.some((attribute) => /^domain=/i.test(attribute))).toBe(false);
  });

  it("sets a fresh refresh cookie on login and leaves refresh_token out of the JSON", async () => {
    const account = await signUpInCookieMode();
    const response = await callInCookieMode("POST", "/v1/login", {
      origin: APP_ORIGIN,
      json: { email: account.email, password: PASSWORD },
    });
    expect(response.status).toBe(200);
    expect(await readJson(response)).not.toHaveProperty("refresh_token");
    const cookie = refreshCookieOf(response);
    expect(cookie?.attributes).toEqual(expect.arrayContaining(["HttpOnly", "Secure", "SameSite=Strict", "Path=/"]));
    expect(cookie?.value).not.toBe(account.cookie);
  });

  it("refreshes with the cookie and an allowlisted Origin, rotating the cookie", async () => {
    const account = await signUpInCookieMode();
    const response = await callInCookieMode("POST", "/v1/token/refresh", {
      origin: APP_ORIGIN,
      cookie: account.cookie,
    });
    expect(response.status).toBe(200);
    expect(await readJson(response)).not.toHaveProperty("refresh_token");
    const rotated = refreshCookieOf(response);
    expect(rotated?.value).toBeDefined();
    expect(rotated?.value).not.toBe(account.cookie);

    const next = await callInCookieMode("POST", "/v1/token/refresh", { origin: APP_ORIGIN, cookie: rotated?.value });
    expect(next.status).toBe(200);
  });

  const refusedOrigins: [string, string | undefined][] = [
    ["no Origin", undefined],
    ...HOSTILE_ORIGINS.map((origin): [string, string] => [origin, origin]),
  ];
  it.each(refusedOrigins)(
    "refuses a refresh with the cookie and %s with 403 forbidden_origin, rotating nothing",
    async (_, origin) => {
      const account = await signUpInCookieMode();
      const rotatedBefore = await rotatedTokenCount();
      const response = await callInCookieMode("POST", "/v1/token/refresh", {
        cookie: account.cookie,
        ...(origin === undefined ? {} : { origin }),
      });
      expect(response.status).toBe(403);
      expect(await readJson(response)).toMatchObject({ code: "forbidden_origin" });
      expect(await rotatedTokenCount()).toBe(rotatedBefore);
    },
  );

  it("answers an unknown refresh cookie with 401 invalid_refresh_token and clears the cookie", async () => {
    const response = await callInCookieMode("POST", "/v1/token/refresh", {
      origin: APP_ORIGIN,
      cookie: "A".repeat(43),
    });
    expect(response.status).toBe(401);
    expect(await readJson(response)).toMatchObject({ code: "invalid_refresh_token" });
    expect(refreshCookieOf(response)?.attributes).toContain("Max-Age=0");
  });

  it("ignores a refresh token in the body: only the cookie carries it", async () => {
    const response = await callInCookieMode("POST", "/v1/token/refresh", {
      origin: APP_ORIGIN,
      json: { refresh_token: "A".repeat(43) },
    });
    expect(response.status).toBe(400);
    expect(await readJson(response)).toMatchObject({ code: "invalid_request", errors: [{ field: "refresh_token" }] });
  });

  it("refuses a cross-site login form post with 403 and creates no session (login CSRF)", async () => {
    const account = await signUpInCookieMode();
    const sessionsBefore = await countRows("sessions");
    const response = await callInCookieMode("POST", "/v1/login", {
      origin: "https://evil.test",
      form: { email: account.email, password: PASSWORD },
    });
    expect(response.status).toBe(403);
    expect(await readJson(response)).toMatchObject({ code: "forbidden_origin" });
    expect(refreshCookieOf(response)).toBeNull();
    expect(await countRows("sessions")).toBe(sessionsBefore);
  });

  it("refuses a cross-site sign-up form post with 403 and creates no user", async () => {
    const usersBefore = await countRows("users");
    const response = await callInCookieMode("POST", "/v1/signup", {
      origin: "https://evil.test",
      form: { email: uniqueEmail("csrf"), password: PASSWORD },
    });
    expect(response.status).toBe(403);
    expect(await readJson(response)).toMatchObject({ code: "forbidden_origin" });
    expect(await countRows("users")).toBe(usersBefore);
  });

  it("clears the cookie on logout and ends the session", async () => {
    const account = await signUpInCookieMode();
    const response = await callInCookieMode("POST", "/v1/logout", {
      origin: APP_ORIGIN,
      cookie: account.cookie,
      token: account.accessToken,
    });
    expect(response.status).toBe(204);
    const cleared = refreshCookieOf(response);
    expect(cleared?.value).toBe("");
    expect(cleared?.attributes).toContain("Max-Age=0");
    const session = await env.DB.prepare("select revoke_reason from sessions where id = ?")
      .bind(sessionOf(account.accessToken))
      .first<{ revoke_reason: string | null }>();
    expect(session?.revoke_reason).toBe("logout");
    const refused = await callInCookieMode("POST", "/v1/token/refresh", { origin: APP_ORIGIN, cookie: account.cookie });
    expect(refused.status).toBe(401);
  });

  it("lets this Worker's own mail-link pages post from the issuer's origin, and still refuses hostile ones", async () => {
    const form = { token: "not-a-real-link-token" };
    const own = await callInCookieMode("POST", "/verify-email", { form, origin: "https://auth.test" });
    expect(own.status).toBe(400);
    expect(own.headers.get("Content-Type")).toContain("text/html");
    const hostile = await callInCookieMode("POST", "/verify-email", { form, origin: "https://evil.test" });
    expect(hostile.status).toBe(403);
    expect(await readJson(hostile)).toMatchObject({ code: "forbidden_origin" });
  });

  it("allows credentials for the allowlisted origin in cookie mode only", async () => {
    const cookieModePreflight = await fetchInCookieMode(preflight(APP_ORIGIN, "/v1/token/refresh"));
    expect(cookieModePreflight.headers.get("Access-Control-Allow-Origin")).toBe(APP_ORIGIN);
    expect(cookieModePreflight.headers.get("Access-Control-Allow-Credentials")).toBe("true");

    const hostile = await fetchInCookieMode(preflight("https://evil.test", "/v1/token/refresh"));
    expect(hostile.headers.get("Access-Control-Allow-Origin")).toBeNull();

    const bodyModePreflight = await call("OPTIONS", "/v1/token/refresh", {
      headers: preflightHeaders(APP_ORIGIN),
    });
    expect(bodyModePreflight.headers.get("Access-Control-Allow-Credentials")).toBeNull();
  });
});
