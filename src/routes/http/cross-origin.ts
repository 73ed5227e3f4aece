// CORS from the configured allowlist (never a reflected origin, never `*` with credentials), and
// the cross-site request guard for cookie mode.

import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import type { Config } from "../../config";
import { AppError } from "../../errors";
import type { AppEnv } from "./app-env";

/** What every preflight accepts; a dialect adds the headers its old clients really send. */
const ALLOWED_REQUEST_HEADERS = ["Content-Type", "Authorization"];

function corsOf(config: Config, extraRequestHeaders: readonly string[]): MiddlewareHandler {
  const { corsOrigins, refreshTokenTransport } = config;
  return cors({
    origin: (origin) => (corsOrigins.includes(origin) ? origin : null),
    allowMethods: ["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
    allowHeaders: [...ALLOWED_REQUEST_HEADERS, ...extraRequestHeaders],
    credentials: refreshTokenTransport === "cookie",
    maxAge: 600,
  });
}

/**
 * CORS for the allowlisted origins, accepting `extraRequestHeaders` besides the native ones (the
 * mounted dialects'). Built once per Config (one per isolate), not per request.
 */
export function corsFromAllowlist(extraRequestHeaders: readonly string[] = []): MiddlewareHandler<AppEnv> {
  const byConfig = new WeakMap<Config, MiddlewareHandler>();
  return (c, next) => {
    const config = c.get("services").config;
    let middleware = byConfig.get(config);
    if (!middleware) {
      middleware = corsOf(config, extraRequestHeaders);
      byConfig.set(config, middleware);
    }
    return middleware(c, next);
  };
}

const sameSiteByConfig = new WeakMap<Config, string[]>();

/** CORS allowlist plus the issuer's own origin (this Worker's link pages post from it); once per Config. */
function sameSiteOrigins(config: Config): string[] {
  let origins = sameSiteByConfig.get(config);
  if (!origins) {
    origins = [...config.corsOrigins, new URL(config.issuer).origin];
    sameSiteByConfig.set(config, origins);
  }
  return origins;
}

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * In cookie mode a browser attaches the refresh cookie to any request it makes to us, so a
 * state-changing request from a page we do not trust must be refused (CSRF, login CSRF). An
 * allowlisted Origin is required whenever one is sent; requests that use the cookie must send one.
 */
export function isCrossSiteRefused(method: string, origin: string | undefined, allowed: string[]): boolean {
  if (SAFE_METHODS.has(method)) return false;
  return origin !== undefined && !allowed.includes(origin);
}

/**
 * A social login's callback arrives from the provider's origin by design (Apple's form_post is a
 * cross-site POST); it reads no refresh cookie, and its own state and browser binding stop login CSRF.
 */
const PROVIDER_CALLBACK = /^\/v1\/oauth\/[a-z][a-z0-9]{1,19}\/callback$/;

export const guardCrossSite: MiddlewareHandler<AppEnv> = async (c, next) => {
  const config = c.get("services").config;
  if (config.refreshTokenTransport !== "cookie") return next();
  if (PROVIDER_CALLBACK.test(c.req.path)) return next();
  if (isCrossSiteRefused(c.req.method, c.req.header("Origin"), sameSiteOrigins(config))) {
    throw new AppError({ code: "forbidden_origin", reason: "cross-site request in cookie mode" });
  }
  await next();
};

/** For requests that authenticate with the cookie: an allowlisted Origin must be present. */
export function requireAllowedOrigin(origin: string | undefined, allowed: string[]): void {
  if (origin === undefined || !allowed.includes(origin)) {
    throw new AppError({ code: "forbidden_origin", reason: "cookie request without an allowed Origin" });
  }
}
