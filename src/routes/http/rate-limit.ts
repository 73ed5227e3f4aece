// The first gate on unauthenticated endpoints: the Workers Rate Limiting binding, per client IP,
// checked before any password hashing or database work.

import type { MiddlewareHandler } from "hono";
import { AppError } from "../../errors";
import type { AppEnv } from "./app-env";
import { clientIp } from "./client";

export function limitPerIp(bucket: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const ip = clientIp(c) ?? "unknown";
    const { success } = await c.env.RATE_LIMIT_IP.limit({ key: `${bucket}:${ip}` });
    if (!success) throw new AppError({ code: "rate_limited", reason: `ip limit on ${bucket}` });
    await next();
  };
}
