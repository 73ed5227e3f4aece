// The part every HTTP adapter shares: send one request with a deadline, turn the provider's answer
// into a MailOutcome, and log only provider, kind, status and outcome (never key, body, code or link).

import type { MailFailure, MailKind, MailOutcome } from "./mailer";

export interface ProviderDelivery {
  provider: string;
  kind: MailKind;
  url: string;
  init: { method: "POST"; headers: Record<string, string>; body: string | FormData };
  fetch: typeof fetch;
  timeoutMs: number;
  /** Reads the provider's message id from a 2xx answer; failures to read it do not fail the send. */
  readProviderId: (response: Response) => Promise<string | undefined>;
}

/** How a non-2xx status maps onto a failure; 2xx never reaches here. */
export function classifyProviderStatus(status: number): { failure: MailFailure; retryable: boolean } {
  if (status === 401 || status === 403) return { failure: "unauthorized", retryable: false };
  if (status === 429) return { failure: "rate_limited", retryable: true };
  if (status === 408 || status >= 500) return { failure: "unavailable", retryable: true };
  return { failure: "rejected", retryable: false };
}

/**
 * One request to a provider (mail or SMS) with a deadline: the response, or why none came. A provider
 * that hangs must not hold the caller (or waitUntil) for long, so it is aborted and reported.
 */
export async function requestWithDeadline(request: {
  fetch: typeof fetch;
  url: string;
  init: RequestInit;
  timeoutMs: number;
}): Promise<Response | "timeout" | "network_error"> {
  try {
    return await request.fetch(request.url, { ...request.init, signal: AbortSignal.timeout(request.timeoutMs) });
  } catch (error) {
    return error instanceof Error && error.name === "TimeoutError" ? "timeout" : "network_error";
  }
}

export async function deliverToProvider(delivery: ProviderDelivery): Promise<MailOutcome> {
  const { provider, kind } = delivery;
  const response = await requestWithDeadline(delivery);
  if (typeof response === "string") {
    console.warn(JSON.stringify({ event: "mail_failed", provider, kind, failure: "unavailable", reason: response }));
    return { ok: false, failure: "unavailable", retryable: true };
  }

  const { status } = response;
  if (status >= 200 && status < 300) {
    const providerId = await delivery.readProviderId(response).catch(() => undefined);
    await response.body?.cancel().catch(() => undefined);
    console.log(JSON.stringify({ event: "mail_sent", provider, kind, status }));
    return providerId ? { ok: true, providerId } : { ok: true };
  }

  // The error body may echo addresses or content; it is dropped unread.
  await response.body?.cancel().catch(() => undefined);
  const { failure, retryable } = classifyProviderStatus(status);
  console.warn(JSON.stringify({ event: "mail_failed", provider, kind, failure, status }));
  return { ok: false, failure, retryable, status };
}

/** Reads one string member of a JSON answer, or undefined. */
export async function readJsonString(response: Response, member: string): Promise<string | undefined> {
  const body: unknown = await response.json();
  if (typeof body !== "object" || body === null) return undefined;
  const value = (body as Record<string, unknown>)[member];
  return typeof value === "string" && value !== "" ? value : undefined;
}
