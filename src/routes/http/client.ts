// Facts about the caller taken from the request: only what Cloudflare itself sets is trusted.

import type { Context } from "hono";
import type { ClientInfo } from "../../services/context";

/** CF-Connecting-IP is set by Cloudflare's edge; X-Forwarded-For is client-controlled and ignored. */
export function clientIp(c: Context): string | null {
  return c.req.header("CF-Connecting-IP") ?? null;
}

export function clientInfo(c: Context): ClientInfo {
  return { userAgent: c.req.header("User-Agent") ?? null, ip: clientIp(c) };
}
