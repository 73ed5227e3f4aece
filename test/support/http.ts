// Calls the Worker the way a client would, through its real fetch handler inside workerd.
import { exports } from "cloudflare:workers";

export const ORIGIN = "https://auth.test";
export const APP_ORIGIN = "https://app.test";

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

export async function readJson<T = Record<string, unknown>>(response: Response): Promise<T> {
  return (await response.json()) as T;
}
