// The one seam to outside providers (mail, SMS, later social login): send one request with a
// deadline, classify the answer into one outcome type, and log one line with only provider, kind,
// status and outcome (never the key, a body, a code or a link). Adapters only build the request.

export interface ProviderRequest {
  /** "resend", "twilio", …: named in the log line. */
  provider: string;
  /** What the request is for (a mail or SMS kind, or e.g. "token", "userinfo"): named in the log line. */
  kind: string;
  url: string;
  init: { method: "GET" | "POST"; headers: Record<string, string>; body?: string | FormData };
  fetch: typeof fetch;
  timeoutMs: number;
}

/**
 * Why a provider did not do what was asked: `unauthorized` (bad or revoked credentials: fix config, do
 * not retry), `rejected` (it refused this request), `rate_limited` and `unavailable` (try again later).
 */
export type DeliveryFailure = "unauthorized" | "rejected" | "rate_limited" | "unavailable";

export type FailedDelivery = { ok: false; failure: DeliveryFailure; retryable: boolean; status?: number };

/** What a Mailer or an SmsSender reports for one message. */
export type DeliveryOutcome = { ok: true; providerId?: string } | FailedDelivery;

/** A 2xx answer's parsed JSON body, for a caller that needs it (token and userinfo requests). */
export type ProviderAnswer = { ok: true; status: number; body: unknown } | FailedDelivery;

const NO_ANSWER: FailedDelivery = { ok: false, failure: "unavailable", retryable: true };

/** How a non-2xx status maps onto a failure; 2xx never reaches here. */
export function classifyProviderStatus(status: number): { failure: DeliveryFailure; retryable: boolean } {
  if (status === 401 || status === 403) return { failure: "unauthorized", retryable: false };
  if (status === 429) return { failure: "rate_limited", retryable: true };
  if (status === 408 || status >= 500) return { failure: "unavailable", retryable: true };
  return { failure: "rejected", retryable: false };
}

/** An accepted message, with the provider's id when it gave one. */
export function accepted(providerId: string | undefined): DeliveryOutcome {
  return providerId ? { ok: true, providerId } : { ok: true };
}

/** Reads one non-empty string member of a JSON answer, or undefined. */
export async function readJsonString(response: Response, member: string): Promise<string | undefined> {
  const body: unknown = await response.json();
  if (typeof body !== "object" || body === null) return undefined;
  const value = (body as Record<string, unknown>)[member];
  return typeof value === "string" && value !== "" ? value : undefined;
}

function logOutcome<T extends { ok: boolean }>(request: ProviderRequest, outcome: T, detail: object): T {
  const { provider, kind } = request;
  const result = "failure" in outcome ? outcome.failure : "ok";
  const line = JSON.stringify({ event: "provider_request", provider, kind, ...detail, outcome: result });
  if (outcome.ok) console.log(line);
  else console.warn(line);
  return outcome;
}

/**
 * The request and the classification both answer types share. A provider that hangs must not hold
 * the caller (or waitUntil) for long, so it is aborted at the deadline and reported unavailable.
 */
async function exchange<T extends { ok: boolean }>(
  request: ProviderRequest,
  readAnswer: (response: Response) => Promise<T | FailedDelivery>,
): Promise<T | FailedDelivery> {
  // Called unbound: workerd's fetch throws "Illegal invocation" when `this` is another object.
  const send = request.fetch;
  let response: Response;
  try {
    response = await send(request.url, { ...request.init, signal: AbortSignal.timeout(request.timeoutMs) });
  } catch (error) {
    const reason = error instanceof Error && error.name === "TimeoutError" ? "timeout" : "network_error";
    return logOutcome(request, NO_ANSWER, { reason });
  }
  const { status } = response;
  if (status < 200 || status >= 300) {
    // An error body may echo addresses, numbers, message text or codes: it is dropped unread.
    await response.body?.cancel().catch(() => undefined);
    return logOutcome(request, { ok: false, ...classifyProviderStatus(status), status }, { status });
  }
  const outcome = await readAnswer(response);
  await response.body?.cancel().catch(() => undefined);
  return logOutcome(request, outcome, { status });
}

/**
 * Sends one message (mail, SMS). `readAccepted` reads a 2xx answer: the message id, or a failure the
 * provider reports inside a 2xx (Vonage answers 200 with a per-message status). A 2xx whose body cannot
 * be read still counts as accepted: the provider has taken the message.
 */
export function deliverThroughProvider(
  request: ProviderRequest,
  readAccepted: (response: Response) => Promise<DeliveryOutcome>,
): Promise<DeliveryOutcome> {
  return exchange(request, (response) => readAccepted(response).catch(() => accepted(undefined)));
}

/** Sends one request whose answer the caller needs: a 2xx that is not JSON counts as unavailable. */
export function requestProviderJson(request: ProviderRequest): Promise<ProviderAnswer> {
  return exchange(request, async (response) => {
    try {
      return { ok: true as const, status: response.status, body: (await response.json()) as unknown };
    } catch {
      return { ...NO_ANSWER, status: response.status };
    }
  });
}
