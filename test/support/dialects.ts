// Helpers for the dialect suites: a dialect's own error bodies (never a problem document, never a
// stack trace), the routes a dialect mounts as the router knows them, and the per-IP gate walk of
// test/route-gates.test.ts asserted in a dialect's shapes.
import { expect } from "vitest";
import { createApp } from "../../src/app";
import type { DialectMount } from "../../src/config";
import { PASSWORD, uniqueEmail } from "./accounts";
import { call, readJson } from "./http";
import { awaitFreshMinute, randomIp } from "./throttle";

const IP_LIMIT = 60;
export const INTERNALS = /\n\s+at |\bsrc\/|\.ts:\d|file:\/\/|node_modules|Failed query|SQLITE|D1_|AppError/;

/** `status` with exactly `body` as JSON: no problem document, no stack frames or internal names. */
export async function expectDialectError(response: Response, status: number, body: unknown): Promise<void> {
  const text = await response.text();
  expect(response.status, text).toBe(status);
  expect(response.headers.get("Content-Type")).toMatch(/^application\/json\b/);
  expect(text).not.toMatch(INTERNALS);
  expect(JSON.parse(text)).toEqual(body);
}

/** The routes `mount` adds to the app, as the router lists them (middleware left out). */
export function dialectRoutes(mount: DialectMount): { method: string; path: string }[] {
  const native = new Set(createApp().routes.map((route) => `${route.method} ${route.path}`));
  const routes = new Map<string, { method: string; path: string }>();
  for (const { method, path } of createApp([mount]).routes) {
    const key = `${method} ${path}`;
    if (method !== "ALL" && !native.has(key)) routes.set(key, { method, path });
  }
  return [...routes.values()];
}

export interface GateAnswers {
  /** The dialect's 429 body. */
  rateLimited: unknown;
  /** The dialect's 401 body for an anonymous caller on a bearer route. */
  unauthenticated: unknown;
  /** Which the route must be, where the suite knows (route-gates.test.ts accepts either). */
  expected?: "gated" | "refused";
}

/**
 * As in test/route-gates.test.ts: 60 anonymous requests from one fresh address, then a 61st. A gated
 * route answers that one 429 (with Retry-After); an ungated one must refuse all 61 before any work.
 */
export async function expectGatedOrRefused(method: string, path: string, answers: GateAnswers): Promise<void> {
  await awaitFreshMinute(5_000);
  const ip = randomIp();
  const options = method === "GET" ? { ip } : { ip, json: {} };
  const responses = await Promise.all(Array.from({ length: IP_LIMIT }, () => call(method, path, options)));
  const last = await call(method, path, options);
  const statuses = [...responses.map((response) => response.status), last.status];
  if (answers.expected) expect(last.status).toBe(answers.expected === "gated" ? 429 : 401);
  if (last.status === 429) {
    expect(last.headers.get("Retry-After")).toMatch(/^\d+$/);
    await expectDialectError(last, 429, answers.rateLimited);
    expect(statuses.filter((status) => status === 429).length).toBeLessThanOrEqual(1);
    return;
  }
  expect(statuses).toEqual(Array(IP_LIMIT + 1).fill(401));
  await expectDialectError(last, 401, answers.unauthenticated);
}

/** crema's token pair (`POST /api/v1/users` and `/api/v1/auth`). */
export interface CremaTokens {
  token: string;
  refresh_token: string;
}

/** A crema account made through `POST /api/v1/users`, as its SPA makes one. */
export async function cremaSignUp(
  fields: Partial<Record<"name" | "email" | "password", string>> = {},
): Promise<CremaTokens & { email: string; password: string }> {
  const email = fields.email ?? uniqueEmail("crema");
  const password = fields.password ?? PASSWORD;
  const response = await call("POST", "/api/v1/users", { json: { name: "jose", email, password, ...fields } });
  if (response.status !== 200) throw new Error(`crema sign-up failed: ${response.status} ${await response.text()}`);
  return { email, password, ...(await readJson<CremaTokens>(response)) };
}
