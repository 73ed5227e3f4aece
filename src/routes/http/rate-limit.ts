// The first gate on unauthenticated endpoints: the Workers Rate Limiting binding, per client IP
// (an IPv6 client by its /64), checked before any password hashing or database work.

import type { MiddlewareHandler } from "hono";
import { AppError } from "../../errors";
import { admitPerIp } from "../../services/abuse-limits";
import type { AppEnv } from "./app-env";
import { clientIp } from "./client";

export function limitPerIp(bucket: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const admitted = await admitPerIp(c.get("services"), bucket, clientIp(c));
    if (!admitted.ok) throw new AppError(admitted.error);
    await next();
  };
}
