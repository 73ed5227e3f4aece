// Request builders shared by the scenarios: a distinct client IP per request (the per-IP rate limit
// would otherwise answer 429), unique e-mail addresses, and plain fetch helpers for setup calls.
import { randomBytes } from "node:crypto";

// A strong password that no breached-password list holds; the same for every bench account.
export const BENCH_PASSWORD = `Bench-${randomBytes(9).toString("base64url")}-pass-9x`;
const RUN_ID = randomBytes(4).toString("hex");

let ipCounter = 0;
/** 198.18.0.0/15 is reserved for benchmarking (RFC 2544); header text only, never connected to. */
export function nextClientIp() {
  ipCounter = (ipCounter + 1) % 131_072;
  return `198.${18 + (ipCounter >> 16)}.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
}

let emailCounter = 0;
export function uniqueEmail(label) {
  emailCounter += 1;
  return `${label}-${RUN_ID}-${emailCounter}@bench.example.com`;
}

/** An autocannon request whose JSON body (and extra headers) are computed per request. */
export function jsonRequest(method, path, makeBody, makeHeaders = () => ({})) {
  return {
    method,
    path,
    setupRequest: (request, context) => {
      const body = makeBody(context);
      request.body = JSON.stringify(body);
      request.headers = {
        "content-type": "application/json",
        "cf-connecting-ip": nextClientIp(),
        ...makeHeaders(context),
      };
      return request;
    },
  };
}

/** A GET with fixed headers and a fresh client IP per request. */
export function getRequest(path, headers = {}) {
  return {
    method: "GET",
    path,
    setupRequest: (request) => {
      request.headers = { ...headers, "cf-connecting-ip": nextClientIp() };
      return request;
    },
  };
}

/** A FIFO of single-use values (refresh tokens, e-mails); refilled from responses. */
export class SingleUsePool {
  #items;
  constructor(items = []) {
    this.#items = [...items];
  }
  take(fallback) {
    return this.#items.length > 0 ? this.#items.shift() : fallback;
  }
  give(item) {
    this.#items.push(item);
  }
  get size() {
    return this.#items.length;
  }
}

/** A setup call: JSON in, JSON (and headers) out, with a time limit. */
export async function callJson(origin, method, path, { json, headers = {} } = {}) {
  const response = await fetch(`${origin}${path}`, {
    method,
    headers: { "content-type": "application/json", "cf-connecting-ip": nextClientIp(), ...headers },
    body: json === undefined ? undefined : JSON.stringify(json),
    signal: AbortSignal.timeout(60_000),
  });
  const text = await response.text();
  let body = null;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text.slice(0, 300)}`);
  return { body, headers: response.headers };
}

/** Runs `task` over `items` with at most `parallel` in flight; returns results in order. */
export async function mapLimited(items, parallel, task) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await task(items[index], index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(parallel, items.length) }, worker));
  return results;
}
