// The gate of every /v1/admin/… route: an API key holding `admin` (Bearer or X-API-Key), checked by
// src/services/admin-auth.ts. A person's access token is not a key and is refused like no key (401
// invalid_api_key); a key without `admin` answers 403 insufficient_scope.

import type { MiddlewareHandler } from "hono";
import { AppError } from "../errors";
import type { AdminActor } from "../services/admin-actions";
import { authenticateAdmin } from "../services/admin-auth";
import { readPresentedApiKey } from "./http/api-key-auth";
import type { AppEnv } from "./http/app-env";
import { clientIp } from "./http/client";
import { requestScope } from "./http/request-scope";

export const requireAdminKey: MiddlewareHandler<AppEnv> = async (c, next) => {
  const result = await authenticateAdmin(c.get("services"), readPresentedApiKey(c), clientIp(c), requestScope(c));
  if (!result.ok) throw new AppError(result.error);
  c.set("apiKey", result.value);
  await next();
};

/** The acting key and its owner, for the security event of each admin action. */
export function adminActorOf(principal: AppEnv["Variables"]["apiKey"]): AdminActor {
  return { keyId: principal.key.id, userId: principal.user?.id ?? null, via: "api" };
}
