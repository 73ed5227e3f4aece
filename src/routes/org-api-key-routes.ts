// An organization's API keys: create (the key shown once), list, revoke, roll, by a member whose role
// allows "manage_api_keys" (src/services/org-api-key-service.ts). Only a person's session manages
// keys; a key never does. A malformed organization or key id answers like an unknown one (404).

import { Hono } from "hono";
import { createOrgApiKey, listOrgApiKeys, revokeOrgApiKey, rollOrgApiKey } from "../services/org-api-key-service";
import { issuedView, keyIdOf } from "./api-key-routes";
import { ApiKeyCreateBody, ApiKeyRollBody } from "./api-key-schemas";
import { toPublicApiKey } from "./api-key-views";
import type { AppEnv } from "./http/app-env";
import { requireCaller } from "./http/bearer";
import { readBody } from "./http/body";
import { requestScope } from "./http/request-scope";
import { NO_STORE, paramsOf, unwrap } from "./org-routes";
import { OrgIdParam } from "./org-schemas";

export const orgApiKeyRoutes = new Hono<AppEnv>();

// Only for the methods each path serves: a wrong method must answer 405 (app.ts), not 401.
orgApiKeyRoutes.on(["GET", "POST"], "/v1/orgs/:id/api-keys", requireCaller);
orgApiKeyRoutes.delete("/v1/orgs/:id/api-keys/:keyId", requireCaller);
orgApiKeyRoutes.post("/v1/orgs/:id/api-keys/:keyId/roll", requireCaller);

const orgIdOf = (params: Record<string, string>) => paramsOf(OrgIdParam, { id: params.id ?? "" }, "org_not_found").id;
/** The organization first (its 404 before the key's), then the key. */
const idsOf = (params: Record<string, string>) => ({
  orgId: orgIdOf(params),
  keyId: keyIdOf({ id: params.keyId ?? "" }),
});

orgApiKeyRoutes.post("/v1/orgs/:id/api-keys", async (c) => {
  const orgId = orgIdOf(c.req.param());
  const { name, scopes, expires_in } = await readBody(c, ApiKeyCreateBody);
  const input = { name, scopes, ...(expires_in === undefined ? {} : { expiresInSeconds: expires_in }) };
  const issued = unwrap(await createOrgApiKey(c.get("services"), c.get("principal"), orgId, input, requestScope(c)));
  return c.json(issuedView(issued), 201, NO_STORE);
});

orgApiKeyRoutes.get("/v1/orgs/:id/api-keys", async (c) => {
  const keys = unwrap(await listOrgApiKeys(c.get("services"), c.get("principal"), orgIdOf(c.req.param())));
  return c.json({ keys: keys.map(toPublicApiKey) }, 200, NO_STORE);
});

orgApiKeyRoutes.delete("/v1/orgs/:id/api-keys/:keyId", async (c) => {
  const { orgId, keyId } = idsOf(c.req.param());
  unwrap(await revokeOrgApiKey(c.get("services"), c.get("principal"), orgId, keyId, requestScope(c)));
  return c.body(null, 204);
});

orgApiKeyRoutes.post("/v1/orgs/:id/api-keys/:keyId/roll", async (c) => {
  const { orgId, keyId } = idsOf(c.req.param());
  const { grace_seconds } = await readBody(c, ApiKeyRollBody);
  const services = c.get("services");
  const issued = unwrap(
    await rollOrgApiKey(services, c.get("principal"), orgId, keyId, grace_seconds, requestScope(c)),
  );
  return c.json(issuedView(issued), 201, NO_STORE);
});
