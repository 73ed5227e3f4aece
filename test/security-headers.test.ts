// Headers every HTTP answer carries (no sniffing, no referrer), the framing and script policy of
// every HTML page, and a /docs page that loads nothing from another origin.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app";
import { call } from "./support/http";
import { awaitFreshMinute, randomIp } from "./support/throttle";

function expectBaseHeaders(response: Response): void {
  expect(response.headers.get("X-Content-Type-Options")).toBe("nosniff");
  expect(response.headers.get("Referrer-Policy")).toBe("no-referrer");
}

/** The page's CSP as directive name -> its value, so tests read one directive at a time. */
function cspOf(response: Response): Map<string, string> {
  const policy = response.headers.get("Content-Security-Policy") ?? "";
  const directives = new Map<string, string>();
  for (const part of policy.split(";")) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) directives.set(name.toLowerCase(), values.join(" "));
  }
  return directives;
}

function expectPageNotFramable(response: Response): void {
  expect(response.headers.get("Content-Type")).toMatch(/^text\/html/);
  expect(cspOf(response).get("frame-ancestors")).toBe("'none'");
  expect(response.headers.get("X-Frame-Options")).toBe("DENY");
}

describe("headers on every API answer", () => {
  it("a JSON 200 says nosniff and no-referrer", async () => {
    const response = await call("GET", "/health");
    expect(response.status).toBe(200);
    expectBaseHeaders(response);
  });

  it("a 4xx problem raised by a route and mapped by the error handler says nosniff and no-referrer", async () => {
    const response = await call("POST", "/v1/login", { body: "{not json", contentType: "application/json" });
    expect(response.status).toBe(400);
    expect(response.headers.get("Content-Type")).toBe("application/problem+json");
    expectBaseHeaders(response);
  });

  it("a 404 for an unknown path says nosniff and no-referrer", async () => {
    const response = await call("GET", "/no/such/path");
    expect(response.status).toBe(404);
    expect(response.headers.get("Content-Type")).toBe("application/problem+json");
    expectBaseHeaders(response);
  });

  it("a 405 for a wrong method says nosniff and no-referrer, and keeps its Allow header", async () => {
    const response = await call("GET", "/v1/login");
    expect(response.status).toBe(405);
    expect(response.headers.get("Allow")).toBe("POST");
    expectBaseHeaders(response);
  });

  it("a 429 from the per-IP limiter says nosniff and no-referrer", { timeout: 60_000 }, async () => {
    await awaitFreshMinute();
    const ip = randomIp();
    const responses = await Promise.all(
      Array.from({ length: 61 }, () => call("POST", "/v1/token/refresh", { ip, json: { refresh_token: "x" } })),
    );
    const limited = responses.find((response) => response.status === 429);
    expect(limited).toBeDefined();
    if (limited) expectBaseHeaders(limited);
  });
});

describe("HTML pages", () => {
  it("the email link page cannot be framed, posts only to itself and keeps its own headers", async () => {
    const response = await call("GET", "/verify-email?token=abc");
    expect(response.status).toBe(200);
    expectBaseHeaders(response);
    expectPageNotFramable(response);
    const csp = cspOf(response);
    expect(csp.get("form-action")).toBe("'self'");
    expect(csp.get("default-src")).toBe("'none'");
    expect(csp.get("script-src")).toBeUndefined();
  });

  it("the dev outbox page cannot be framed, and its own policy is kept beside frame-ancestors", async () => {
    const devEnv = { ...env, DEV_OUTBOX: "true", ISSUER: "http://localhost:8787" };
    const ctx = createExecutionContext();
    const response = await createApp().fetch(
      new Request("http://localhost:8787/dev/outbox", { headers: { Accept: "text/html" } }),
      devEnv,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(response.status).toBe(200);
    expectBaseHeaders(response);
    expectPageNotFramable(response);
    const csp = cspOf(response);
    expect(csp.get("default-src")).toBe("'none'");
    expect(csp.get("frame-src")).toBe("'self'");
  });

  it("the /docs page has the strict policy: same-origin scripts, styles and fetches, nothing inline", async () => {
    const response = await call("GET", "/docs");
    expect(response.status).toBe(200);
    expectBaseHeaders(response);
    expectPageNotFramable(response);
    expect(Object.fromEntries(cspOf(response))).toEqual({
      "default-src": "'none'",
      "script-src": "'self'",
      "style-src": "'self'",
      "img-src": "'self' data:",
      "connect-src": "'self'",
      "font-src": "'self'",
      "frame-ancestors": "'none'",
      "base-uri": "'none'",
      "form-action": "'none'",
    });
  });

  it("the /docs page loads its scripts and styles from this origin's own paths, and no inline script", async () => {
    const html = await (await call("GET", "/docs")).text();
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?\/\//i);
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)];
    expect(scripts.map(([, attributes]) => /\bsrc="([^"]*)"/.exec(attributes ?? "")?.[1])).toEqual([
      "/docs/swagger-ui-bundle.js",
      "/docs/init.js",
    ]);
    expect(scripts.map(([, , body]) => body)).toEqual(["", ""]);
    const styles = [...html.matchAll(/<link\b[^>]*\bhref="([^"]*)"/gi)].map(([, href]) => href);
    expect(styles).toEqual(["/docs/swagger-ui.css"]);
    expect(html).not.toMatch(/<style\b|\sstyle=|\son[a-z]+=/i);
  });
});
