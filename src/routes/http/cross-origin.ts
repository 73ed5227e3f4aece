// CORS from the configured allowlist (never a reflected origin, never `*` with credentials), and
// the cross-site request guard for cookie mode.

import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";
import type { Config } from "../../config";
import { AppError } from "../../errors";
import type { AppEnv } from "./app-env";

interface CrossOriginRules {
  cors: MiddlewareHandler;
  /** CORS allowlist plus the issuer's own origin (this Worker's link pages post from it). */
  sameSiteOrigins: string[];
}

// Built once per Config (one per isolate), not per request: the rules depend on config alone.
const rulesByConfig = new WeakMap<Config, CrossOriginRules>();

function crossOriginRules(config: Config): CrossOriginRules {
  let rules = rulesByConfig.get(config);
  if (!rules) {
    const { corsOrigins, refreshTokenTransport, issuer } = config;
    rules = {
      cors: cors({
        origin: (origin) => (corsOrigins.includes(origin) ? origin : null),
        allowMethods: ["GET", "POST", "PATCH", "DELETE", "OPTIONS"],
        allowHeaders: ["Content-Type", "Authorization"],
        credentials: refreshTokenTransport === "cookie",
        maxAge: 600,
      }),
      sameSiteOrigins: [...corsOrigins, new URL(issuer).origin],
    };
    rulesByConfig.set(config, rules);
  }
  return rules;
}

export const corsFromAllowlist: MiddlewareHandler<AppEnv> = (c, next) =>
  crossOriginRules(c.get("services").config).cors(c, next);

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

export const guardCrossSite: MiddlewareHandler<AppEnv> = async (c, next) => {
  const config = c.get("services").config;
  if (config.refreshTokenTransport !== "cookie") return next();
  if (isCrossSiteRefused(c.req.method, c.req.header("Origin"), crossOriginRules(config).sameSiteOrigins)) {
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
