// One dialect's refusal for any error code: its own words for the codes dialect routes produce, and
// for a native-only code (which no dialect route produces) its generic refusal of the same status
// class, answered at the native status, so a new native feature costs no dialect a byte.

import type { ContentfulStatusCode } from "hono/utils/http-status";
import { type DialectErrorCode, type ErrorCode, isNativeOnly } from "../errors";
import { problemStatus } from "../routes/http/problem";

function genericCodeOf(status: number): DialectErrorCode {
  if (status === 401) return "invalid_token";
  if (status === 403) return "forbidden_origin";
  if (status === 404) return "not_found";
  if (status === 429) return "rate_limited";
  if (status === 503) return "service_unavailable";
  return status >= 500 ? "internal_error" : "invalid_request";
}

export function dialectRefusal<R extends { status: ContentfulStatusCode }>(
  words: Readonly<Record<DialectErrorCode, R>>,
  code: ErrorCode,
): R {
  if (!isNativeOnly(code)) return words[code];
  const status = problemStatus(code);
  return { ...words[genericCodeOf(status)], status };
}
