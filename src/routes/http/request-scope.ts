// The per-request hooks services may use, taken from Hono's execution context, and the caller's IP
// and user agent as the security event log records them (only what Cloudflare itself sets is trusted).

import type { Context } from "hono";
import type { RequestScope } from "../../services/context";
import { clientInfo } from "./client";

export function requestScope(c: Context): RequestScope {
  const { ip, userAgent } = clientInfo(c);
  return { defer: (task) => c.executionCtx.waitUntil(task), client: { ip, userAgent } };
}
