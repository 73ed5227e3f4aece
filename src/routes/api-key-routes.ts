// The signed-in user's API keys: create (the key shown once), list, revoke, roll. Only a person's
// session manages keys (Bearer access token, checked in D1); a key never manages keys.

import { Hono } from "hono";
import { AppError } from "../errors";
import {
  createApiKey,
  type IssuedApiKey,
  listApiKeys,
  ownKeys,
  revokeApiKey,
  rollApiKey,
} from "../services/api-key-service";
import { ApiKeyCreateBody, ApiKeyIdParam, ApiKeyRollBody } from "./api-key-schemas";
import { toPublicApiKey } from "./api-key-views";
import type { AppEnv } from "./http/app-env";
import { requireCaller } from "./http/bearer";
import { readBody } from "./http/body";
import { requestScope } from "./http/request-scope";

const NO_STORE = { "Cache-Control": "no-store" };
export const issuedView = (issued: IssuedApiKey) => ({ ...toPublicApiKey(issued.key), api_key: issued.secret });

/** A malformed id names no key: the same 404 as an unknown one. */
export function keyIdOf(params: Record<string, string>): string {
  const parsed = ApiKeyIdParam.safeParse(params);
  if (!parsed.success) throw new AppError({ code: "api_key_not_found", reason: "malformed key id" });
  return parsed.data.id;
}

export const apiKeyRoutes = new Hono<AppEnv>();

// Only for the methods each path serves: a wrong method must answer 405 (app.ts), not 401.
apiKeyRoutes.on(["GET", "POST"], "/v1/keys", requireCaller);
apiKeyRoutes.delete("/v1/keys/:id", requireCaller);
apiKeyRoutes.post("/v1/keys/:id/roll", requireCaller);

apiKeyRoutes.post("/v1/keys", async (c) => {
  const { name, scopes, expires_in } = await readBody(c, ApiKeyCreateBody);
  const input = { name, scopes, ...(expires_in === undefined ? {} : { expiresInSeconds: expires_in }) };
  const result = await createApiKey(c.get("services"), ownKeys(c.get("principal")), input, requestScope(c));
  if (!result.ok) throw new AppError(result.error);
  return c.json(issuedView(result.value), 201, NO_STORE);
});

apiKeyRoutes.get("/v1/keys", async (c) => {
  const keys = await listApiKeys(c.get("services"), { userId: c.get("principal").user.id });
  return c.json({ keys: keys.map(toPublicApiKey) }, 200, NO_STORE);
});

apiKeyRoutes.delete("/v1/keys/:id", async (c) => {
  const id = keyIdOf(c.req.param());
  const result = await revokeApiKey(c.get("services"), ownKeys(c.get("principal")), id, requestScope(c));
  if (!result.ok) throw new AppError(result.error);
  return c.body(null, 204);
});

apiKeyRoutes.post("/v1/keys/:id/roll", async (c) => {
  const id = keyIdOf(c.req.param());
  const { grace_seconds } = await readBody(c, ApiKeyRollBody);
  const result = await rollApiKey(c.get("services"), ownKeys(c.get("principal")), id, grace_seconds, requestScope(c));
  if (!result.ok) throw new AppError(result.error);
  return c.json(issuedView(result.value), 201, NO_STORE);
});
