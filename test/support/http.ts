// Calls the Worker the way a client would, through its real fetch handler inside workerd, and the
// problem document every refusal answers.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { expect } from "vitest";
import type { Bindings } from "../../src/bindings";
import worker from "../../src/dev";
import type { ErrorCode } from "../../src/errors";

export const ORIGIN = "https://auth.test";
export const APP_ORIGIN = "https://app.test";

/** The shape of the ids the API answers (a request id such as otp_request_id). */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let ipCounter = 0;
/** A fresh client IP per call unless a test pins one, so the per-IP limiter only bites where tested. */
export function nextIp(): string {
  ipCounter += 1;
  return `198.51.${Math.floor(ipCounter / 250) % 250}.${(ipCounter % 250) + 1}`;
}

export interface CallOptions {
  json?: unknown;
  form?: Record<string, string>;
  body?: BodyInit;
  contentType?: string;
  token?: string;
  headers?: Record<string, string>;
  ip?: string;
}

export function buildRequest(method: string, path: string, options: CallOptions = {}): Request {
  const headers = new Headers(options.headers);
  if (!headers.has("CF-Connecting-IP")) headers.set("CF-Connecting-IP", options.ip ?? nextIp());
  let body: BodyInit | undefined = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers.set("Content-Type", "application/json");
  } else if (options.form !== undefined) {
    body = new URLSearchParams(options.form).toString();
    headers.set("Content-Type", "application/x-www-form-urlencoded");
  }
  if (options.contentType !== undefined) headers.set("Content-Type", options.contentType);
  if (options.token !== undefined) headers.set("Authorization", `Bearer ${options.token}`);
  return new Request(`${ORIGIN}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
}

export function call(method: string, path: string, options: CallOptions = {}): Promise<Response> {
  return exports.default.fetch(buildRequest(method, path, options));
}

/**
 * Calls the Worker's fetch handler with `bindings` (another configuration than the test env's) and
 * waits for everything it deferred after the response (mail, texts). `handler` is the Worker's own
 * unless a test passes a freshly imported copy of it (one whose modules it mocked).
 */
export async function callWith(
  bindings: Bindings,
  method: string,
  path: string,
  options: CallOptions = {},
  handler: Pick<typeof worker, "fetch"> = worker,
): Promise<Response> {
  const ctx = createExecutionContext();
  const request = buildRequest(method, path, options) as Request<unknown, IncomingRequestCfProperties>;
  const response = await handler.fetch(request, bindings, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

/** With the default test bindings (verification optional), waiting for deferred work. */
export function callAndSettle(method: string, path: string, options: CallOptions = {}): Promise<Response> {
  return callWith(env, method, path, options);
}

export async function readJson<T = Record<string, unknown>>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

/**
 * An RFC 9457 problem document with the stable `code`, its `type` and the HTTP status repeated (and
 * `extra` members where given); answers the document for further checks.
 */
export async function expectProblem(
  response: Response,
  status: number,
  code: ErrorCode,
  extra: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  expect(response.status).toBe(status);
  expect(response.headers.get("Content-Type")).toBe("application/problem+json");
  const body = await readJson(response);
  expect(body).toMatchObject({
    type: `urn:edge-auth:error:${code}`,
    title: expect.any(String),
    status,
    code,
    ...extra,
  });
  return body;
}

/** A 401 invalid_token problem with a Bearer challenge (RFC 6750 §3): what a dead or missing access token gets. */
export async function expectRefusedAsBearer(response: Response): Promise<void> {
  expect(response.headers.get("WWW-Authenticate")).toMatch(/^Bearer .*error="invalid_token"/);
  await expectProblem(response, 401, "invalid_token");
}
