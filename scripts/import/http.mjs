// HTTP for the import and export CLIs: one request with retries for what may pass (429, 5xx, a network
// error or a body cut short), waiting as Retry-After says (seconds or an HTTP date) or else an
// exponential backoff with jitter. Any other answer is returned as it is, for the caller to judge. The
// body is read whole before answering, so a retried page or batch is never half-used.

/** Retry-After beyond this is not waited for: the run fails and can be resumed later. */
const MAX_RETRY_AFTER_MS = 10 * 60 * 1000;
/** One attempt may take this long (500 plaintext rows cost 500 scrypts on the server). */
const ATTEMPT_TIMEOUT_MS = 5 * 60 * 1000;

const isRetryable = (status) => status === 429 || status >= 500;

/** Milliseconds a Retry-After header asks for, or null when absent or unreadable (RFC 9110 §10.2.3). */
export function retryAfterMs(header, now = Date.now()) {
  if (header === null || header === undefined || header.trim() === "") return null;
  if (/^[0-9]+$/.test(header.trim())) return Number(header.trim()) * 1000;
  const at = Date.parse(header);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** Resolves after `ms`, or at once (false) when `signal` aborts. */
function pause(ms, signal) {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(false);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

const reasonOf = (error) => {
  if (!(error instanceof Error)) return String(error);
  if (error.name === "TimeoutError") return "timed out";
  return error.cause?.code ?? error.cause?.message ?? error.message;
};

/**
 * `fetch(url, init)` until it answers something other than 429/5xx or `retries` run out. Resolves to
 * `{ status, headers, text }` (any other status), `{ error }` (the last failure's reason) or
 * `{ aborted: true }`. `stop` ends the retrying (an attempt under way still finishes); `abort` also
 * cancels the attempt. `onRetry(attempt, reason, waitMs)` is told before each wait.
 */
export async function requestWithRetry(url, init, options = {}) {
  const { retries = 5, backoffMs = 500, maxBackoffMs = 30_000, onRetry = () => {}, stop, abort } = options;
  for (let attempt = 0; ; attempt++) {
    if (abort?.aborted) return { aborted: true };
    let reason;
    let wait = null;
    try {
      const timeout = AbortSignal.timeout(ATTEMPT_TIMEOUT_MS);
      const signal = abort ? AbortSignal.any([abort, timeout]) : timeout;
      const response = await fetch(url, { ...init, signal });
      const text = await response.text();
      if (!isRetryable(response.status)) return { status: response.status, headers: response.headers, text };
      reason = `HTTP ${response.status}`;
      wait = retryAfterMs(response.headers.get("retry-after"));
    } catch (error) {
      if (abort?.aborted) return { aborted: true };
      reason = reasonOf(error);
    }
    if (attempt >= retries) return { error: `${reason} (after ${attempt + 1} attempts)` };
    if (wait !== null && wait > MAX_RETRY_AFTER_MS) return { error: `${reason}: the server asks to wait ${wait} ms` };
    const backoff = Math.min(maxBackoffMs, backoffMs * 2 ** attempt) * (0.5 + Math.random() / 2);
    const delay = Math.round(wait ?? backoff);
    onRetry(attempt + 1, reason, delay);
    const signals = [stop, abort].filter(Boolean);
    if (!(await pause(delay, signals.length > 0 ? AbortSignal.any(signals) : undefined))) return { aborted: true };
  }
}

/** The base URL with `path` appended (a base with a path prefix keeps it). */
export function endpoint(base, path) {
  return new URL(path.replace(/^\//, ""), base.endsWith("/") ? base : `${base}/`).toString();
}

/** A one-line description of a refusal (RFC 9457 problem JSON: its code and title), never the body whole. */
export function describeRefusal(status, text) {
  let problem = null;
  try {
    problem = JSON.parse(text);
  } catch {
    // Not problem JSON (a proxy's page): the status says enough.
  }
  const code = typeof problem?.code === "string" ? ` ${problem.code}` : "";
  const title = typeof problem?.title === "string" ? `: ${problem.title}` : "";
  return `HTTP ${status}${code}${title}`;
}
