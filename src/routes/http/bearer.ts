// Access-token authentication for our own endpoints: the token from where the surface carries it
// (src/routes/http/token-transport.ts), then the session checked in D1, so a revoked session is
// refused at once.

import type { Context, MiddlewareHandler } from "hono";
import { AppError } from "../../errors";
import { authenticateCaller } from "../../services/token-verification";
import type { AppEnv } from "./app-env";
import { readAccessToken, type TokenSources } from "./token-transport";

/** The access token the request carries as `sources` say, or 401 invalid_token. */
export function presentedAccessToken(c: Context, sources: TokenSources = {}): string {
  const token = readAccessToken(c, sources);
  if (!token) throw new AppError({ code: "invalid_token", reason: "no access token" });
  return token;
}

/** The middleware for a surface whose access token travels as `sources` say (Bearer by default). */
export function requireCallerFrom(sources: TokenSources = {}): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const token = presentedAccessToken(c, sources);
    const result = await authenticateCaller(c.get("services"), token);
    if (!result.ok) throw new AppError(result.error);
    c.set("principal", result.value);
    await next();
  };
}

/** The native API's: `Authorization: Bearer` only. */
export const requireCaller = requireCallerFrom();
