// The per-request hooks services may use, taken from Hono's execution context.

import type { Context } from "hono";
import type { RequestScope } from "../../services/context";

export function requestScope(c: Context): RequestScope {
  return { defer: (task) => c.executionCtx.waitUntil(task) };
}
