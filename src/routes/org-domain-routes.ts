// An organization's email domains (add, list, verify by DNS TXT, set policy, remove; "manage_domains"
// in the permission table), and the caller's organization suggestions by their verified address.

import { Hono } from "hono";
import { listOrgSuggestions } from "../services/org-domain-join";
import {
  addDomain,
  changeDomainSettings,
  listOrganizationDomains,
  removeDomain,
  verifyDomain,
} from "../services/org-domain-service";
import type { AppEnv } from "./http/app-env";
import { requireCaller } from "./http/bearer";
import { readBody } from "./http/body";
import { OrgDomainAddBody, OrgDomainParam, OrgDomainUpdateBody } from "./org-domain-schemas";
import { toPublicDomain, toPublicSuggestion } from "./org-domain-views";
import { NO_STORE, paramsOf, unwrap } from "./org-routes";
import { OrgIdParam } from "./org-schemas";

export const orgDomainRoutes = new Hono<AppEnv>();

orgDomainRoutes.on(["GET", "POST"], "/v1/orgs/:id/domains", requireCaller);
orgDomainRoutes.on(["PATCH", "DELETE"], "/v1/orgs/:id/domains/:domainId", requireCaller);
orgDomainRoutes.post("/v1/orgs/:id/domains/:domainId/verify", requireCaller);
orgDomainRoutes.get("/v1/me/org-suggestions", requireCaller);

const domainParams = (params: Record<string, string>) => paramsOf(OrgDomainParam, params, "domain_not_found");

orgDomainRoutes.post("/v1/orgs/:id/domains", async (c) => {
  const { id } = paramsOf(OrgIdParam, c.req.param(), "org_not_found");
  const { domain, policy, default_role } = await readBody(c, OrgDomainAddBody);
  const input = { domain, ...(policy ? { policy } : {}), ...(default_role ? { defaultRole: default_role } : {}) };
  const row = unwrap(await addDomain(c.get("services"), c.get("principal").user.id, id, input));
  return c.json(toPublicDomain(row), 201, NO_STORE);
});

orgDomainRoutes.get("/v1/orgs/:id/domains", async (c) => {
  const { id } = paramsOf(OrgIdParam, c.req.param(), "org_not_found");
  const rows = unwrap(await listOrganizationDomains(c.get("services"), c.get("principal").user.id, id));
  return c.json({ domains: rows.map(toPublicDomain) }, 200, NO_STORE);
});

orgDomainRoutes.post("/v1/orgs/:id/domains/:domainId/verify", async (c) => {
  const { id, domainId } = domainParams(c.req.param());
  const row = unwrap(await verifyDomain(c.get("services"), c.get("principal").user.id, id, domainId));
  return c.json(toPublicDomain(row), 200, NO_STORE);
});

orgDomainRoutes.patch("/v1/orgs/:id/domains/:domainId", async (c) => {
  const { id, domainId } = domainParams(c.req.param());
  const { policy, default_role } = await readBody(c, OrgDomainUpdateBody);
  const settings = { ...(policy ? { policy } : {}), ...(default_role ? { defaultRole: default_role } : {}) };
  const row = unwrap(await changeDomainSettings(c.get("services"), c.get("principal").user.id, id, domainId, settings));
  return c.json(toPublicDomain(row), 200, NO_STORE);
});

orgDomainRoutes.delete("/v1/orgs/:id/domains/:domainId", async (c) => {
  const { id, domainId } = domainParams(c.req.param());
  unwrap(await removeDomain(c.get("services"), c.get("principal").user.id, id, domainId));
  return c.body(null, 204);
});

orgDomainRoutes.get("/v1/me/org-suggestions", async (c) => {
  const services = c.get("services");
  const { user } = c.get("principal");
  const suggestions = await listOrgSuggestions(services, user);
  return c.json({ suggestions: suggestions.map(toPublicSuggestion) }, 200, NO_STORE);
});
