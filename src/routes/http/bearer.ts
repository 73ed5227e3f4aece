// Bearer-token authentication for our own endpoints (RFC 6750 §2.1: the Authorization header only;
// tokens in query strings are never read, they end up in logs).

import type { Context, MiddlewareHandler } from "hono";
import { AppError } from "../../errors";
import { authenticateCaller } from "../../services/token-verification";
import type { AppEnv } from "./app-env";

export function readBearerToken(c: Context): string | null {
  const header = c.req.header("Authorization");
  if (!header) return null;
  const match = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i.exec(header);
  return match?.[1] ?? null;
}

/** Verifies the token and the session in D1, so a revoked session is refused at once. */
export const requireCaller: MiddlewareHandler<AppEnv> = async (c, next) => {
  const token = readBearerToken(c);
  if (!token) throw new AppError({ code: "invalid_token", reason: "no bearer token" });
  const result = await authenticateCaller(c.get("services"), token);
  if (!result.ok) throw new AppError(result.error);
  c.set("caller", result.value);
  await next();
};
