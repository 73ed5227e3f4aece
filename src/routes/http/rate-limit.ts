// The first gate of every operation a route performs: its per-IP limit (src/services/abuse-limits.ts),
// checked before the body is read and before any hashing or database work.

import type { MiddlewareHandler } from "hono";
import { AppError } from "../../errors";
import { admitClient, type Operation } from "../../services/abuse-limits";
import type { AppEnv } from "./app-env";
import { clientIp } from "./client";

export function gate(operation: Operation): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const admitted = await admitClient(c.get("services"), operation, clientIp(c));
    if (!admitted.ok) throw new AppError(admitted.error);
    await next();
  };
}
