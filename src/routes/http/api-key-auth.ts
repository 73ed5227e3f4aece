// API-key authentication for the routes a key may call: the key as `Authorization: Bearer ea_sk_…`
// or in `X-API-Key`, checked by src/services/api-key-auth.ts for the route's scope.

import type { Context, MiddlewareHandler } from "hono";
import { API_KEY_PREFIX } from "../../crypto/api-key-format";
import { AppError } from "../../errors";
import { authenticateApiKey } from "../../services/api-key-auth";
import type { ApiKeyScope } from "../../services/api-key-scopes";
import type { AppEnv } from "./app-env";
import { requestScope } from "./request-scope";
import { readBearerToken } from "./token-transport";

export const API_KEY_HEADER = "X-API-Key";
/** Far longer than a key (45 characters); anything longer is refused unread. */
export const MAX_PRESENTED_KEY_LENGTH = 256;

/** The key this request presents, or null: X-API-Key first, else a Bearer credential with the key prefix. */
export function readPresentedApiKey(c: Context): string | null {
  const header = c.req.header(API_KEY_HEADER)?.trim();
  if (header) return header.slice(0, MAX_PRESENTED_KEY_LENGTH);
  const bearer = readBearerToken(c);
  return bearer?.startsWith(API_KEY_PREFIX) ? bearer : null;
}

/** A key is optional; one that is presented must be usable and hold `scope` (401 / 403 otherwise). */
export function acceptApiKey(scope: ApiKeyScope): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const presented = readPresentedApiKey(c);
    if (presented !== null) {
      const result = await authenticateApiKey(c.get("services"), presented, requestScope(c), scope);
      if (!result.ok) throw new AppError(result.error);
      c.set("apiKey", result.value);
    }
    await next();
  };
}
