// Organizations for the signed-in person: create, list, read, update, delete; and scoping the
// current session to one (POST /v1/session/org). Members and invitations: org-member-routes.ts,
// org-invitation-routes.ts. A malformed id answers like an unknown one (404 org_not_found).

import { Hono } from "hono";
import type * as z from "zod";
import { AppError, type Failure, type Result } from "../errors";
import {
  changeOrganization,
  createOrganization,
  deleteOrganization,
  listMyOrganizations,
  readOrganization,
} from "../services/org-service";
import { switchOrganization } from "../services/org-session-service";
import type { AppEnv } from "./http/app-env";
import { requireCaller } from "./http/bearer";
import { readBody } from "./http/body";
import { requestScope } from "./http/request-scope";
import { OrgCreateBody, OrgIdParam, OrgUpdateBody, SessionOrgBody } from "./org-schemas";
import { toPublicOrganization } from "./org-views";

export const NO_STORE = { "Cache-Control": "no-store" };

/** The path's parameters, or the 404 `notFound` when they are malformed (they name nothing then). */
export function paramsOf<T extends z.ZodType>(schema: T, params: Record<string, string>, notFound: Failure["code"]) {
  const parsed = schema.safeParse(params);
  if (!parsed.success) throw new AppError({ code: notFound, reason: "malformed id" });
  return parsed.data as z.infer<T>;
}

export function unwrap<T>(result: Result<T>): T {
  if (!result.ok) throw new AppError(result.error);
  return result.value;
}

/** The path's organization id, or 404 org_not_found when it is malformed. */
export const orgIdOf = (params: Record<string, string>) => paramsOf(OrgIdParam, params, "org_not_found").id;

export const orgRoutes = new Hono<AppEnv>();

orgRoutes.on(["GET", "POST"], "/v1/orgs", requireCaller);
orgRoutes.on(["GET", "PATCH", "DELETE"], "/v1/orgs/:id", requireCaller);
orgRoutes.post("/v1/session/org", requireCaller);

orgRoutes.post("/v1/orgs", async (c) => {
  const fields = await readBody(c, OrgCreateBody);
  const created = await createOrganization(c.get("services"), c.get("principal"), fields, requestScope(c));
  return c.json(toPublicOrganization(unwrap(created)), 201, NO_STORE);
});

orgRoutes.get("/v1/orgs", async (c) => {
  const orgs = await listMyOrganizations(c.get("services"), c.get("principal").user.id);
  return c.json({ organizations: orgs.map(toPublicOrganization) }, 200, NO_STORE);
});

orgRoutes.get("/v1/orgs/:id", async (c) => {
  const org = await readOrganization(c.get("services"), c.get("principal").user.id, orgIdOf(c.req.param()));
  return c.json(toPublicOrganization(unwrap(org)), 200, NO_STORE);
});

orgRoutes.patch("/v1/orgs/:id", async (c) => {
  const id = orgIdOf(c.req.param());
  const fields = await readBody(c, OrgUpdateBody);
  const org = await changeOrganization(c.get("services"), c.get("principal").user.id, id, fields);
  return c.json(toPublicOrganization(unwrap(org)), 200, NO_STORE);
});

orgRoutes.delete("/v1/orgs/:id", async (c) => {
  const id = orgIdOf(c.req.param());
  unwrap(await deleteOrganization(c.get("services"), c.get("principal").user.id, id));
  return c.body(null, 204);
});

orgRoutes.post("/v1/session/org", async (c) => {
  const { org } = await readBody(c, SessionOrgBody);
  const scoped = unwrap(await switchOrganization(c.get("services"), c.get("principal"), org));
  const { claims } = scoped;
  return c.json(
    {
      access_token: scoped.accessToken,
      token_type: "Bearer",
      expires_in: scoped.expiresIn,
      org: claims.org,
      role: claims.role,
      org_slug: claims.org_slug,
    },
    200,
    NO_STORE,
  );
});
