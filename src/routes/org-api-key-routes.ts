// An organization's API keys: create (the key shown once), list, revoke, roll, by a member whose role
// allows "manage_api_keys" (src/services/org-api-key-service.ts), with the same key operations as a
// person's own keys. Only a person's session manages keys; a key never does. A malformed organization
// or key id answers like an unknown one (404).

import { type Context, Hono } from "hono";
import { createApiKey, listApiKeys, revokeApiKey, rollApiKey } from "../services/api-key-service";
import { orgKeyHolder } from "../services/org-api-key-service";
import { issuedView, keyIdOf } from "./api-key-routes";
import { ApiKeyCreateBody, ApiKeyRollBody } from "./api-key-schemas";
import { toPublicApiKey } from "./api-key-views";
import type { AppEnv } from "./http/app-env";
import { requireCaller } from "./http/bearer";
import { readBody } from "./http/body";
import { requestScope } from "./http/request-scope";
import { NO_STORE, orgIdOf, unwrap } from "./org-routes";

export const orgApiKeyRoutes = new Hono<AppEnv>();

// Only for the methods each path serves: a wrong method must answer 405 (app.ts), not 401.
orgApiKeyRoutes.on(["GET", "POST"], "/v1/orgs/:id/api-keys", requireCaller);
orgApiKeyRoutes.delete("/v1/orgs/:id/api-keys/:keyId", requireCaller);
orgApiKeyRoutes.post("/v1/orgs/:id/api-keys/:keyId/roll", requireCaller);

/** The caller as manager of the path's organization's keys: its 404 before the key's, then 403. */
const holderOf = async (c: Context<AppEnv>) =>
  unwrap(await orgKeyHolder(c.get("services"), c.get("principal"), orgIdOf(c.req.param())));
const keyIdIn = (c: Context<AppEnv>) => keyIdOf({ id: c.req.param("keyId") ?? "" });

orgApiKeyRoutes.post("/v1/orgs/:id/api-keys", async (c) => {
  const holder = await holderOf(c);
  const { name, scopes, expires_in } = await readBody(c, ApiKeyCreateBody);
  const input = { name, scopes, ...(expires_in === undefined ? {} : { expiresInSeconds: expires_in }) };
  const issued = unwrap(await createApiKey(c.get("services"), holder, input, requestScope(c)));
  return c.json(issuedView(issued), 201, NO_STORE);
});

orgApiKeyRoutes.get("/v1/orgs/:id/api-keys", async (c) => {
  const keys = await listApiKeys(c.get("services"), (await holderOf(c)).owner);
  return c.json({ keys: keys.map(toPublicApiKey) }, 200, NO_STORE);
});

orgApiKeyRoutes.delete("/v1/orgs/:id/api-keys/:keyId", async (c) => {
  const holder = await holderOf(c);
  unwrap(await revokeApiKey(c.get("services"), holder, keyIdIn(c), requestScope(c)));
  return c.body(null, 204);
});

orgApiKeyRoutes.post("/v1/orgs/:id/api-keys/:keyId/roll", async (c) => {
  const holder = await holderOf(c);
  const keyId = keyIdIn(c);
  const { grace_seconds } = await readBody(c, ApiKeyRollBody);
  const issued = unwrap(await rollApiKey(c.get("services"), holder, keyId, grace_seconds, requestScope(c)));
  return c.json(issuedView(issued), 201, NO_STORE);
});
