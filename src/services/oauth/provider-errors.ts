// What a provider's failure means for the caller: the provider unreachable, timing out, redirecting
// or answering garbage is an outage (503, nothing written, try again); a provider that refused the
// credential, or a credential that fails a check, is the credential's fault (401). Logged by reason.

import * as oauth from "oauth4webapi";
import type { ErrorCode, Failure } from "../../errors";

const OUTAGE_CODES = new Set<string>([oauth.RESPONSE_IS_NOT_CONFORM, oauth.RESPONSE_IS_NOT_JSON]);

function isOutage(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === "TimeoutError" || error.name === "AbortError") return true;
  // fetch's own failures are TypeErrors; oauth4webapi's argument checks are TypeErrors with a code.
  if (error instanceof TypeError) return !String((error as { code?: unknown }).code ?? "").startsWith("ERR_INVALID");
  if (error instanceof oauth.ResponseBodyError) return error.status >= 500;
  if (error instanceof oauth.OperationProcessingError) return OUTAGE_CODES.has(error.code ?? "");
  return false;
}

export function providerFailureCode(error: unknown): ErrorCode {
  return isOutage(error) ? "oauth_provider_unavailable" : "oauth_credential_invalid";
}

/** A thrown provider or validation error as a Failure; `step` names where (discovery, token, …). */
export function classifyProviderError(error: unknown, step: string): { ok: false; error: Failure } {
  const code = providerFailureCode(error);
  const kind = error instanceof Error ? ((error as { code?: string }).code ?? error.name) : "unknown";
  return { ok: false, error: { code, reason: `${step}: ${kind}` } };
}
