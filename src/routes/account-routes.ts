// The signed-in user's own account and sessions. Every route here checks the session in D1.

import { Hono } from "hono";
import { AppError } from "../errors";
import { authenticateWithIdentities } from "../services/oauth/identity-management";
import { deleteAccount, updateProfile } from "../services/profile-service";
import { endEverySession, listSessions, revokeOwnSession } from "../services/session-service";
import type { AppEnv } from "./http/app-env";
import { presentedAccessToken, requireCaller } from "./http/bearer";
import { readBody } from "./http/body";
import { clientInfo } from "./http/client";
import { requestScope } from "./http/request-scope";
import { toPublicIdentity } from "./oauth-identity-routes";
import { DeleteAccountBody, ProfilePatchBody, SessionIdParam } from "./schemas";
import { toPublicSession, toPublicUser } from "./views";

const NO_STORE = { "Cache-Control": "no-store" };

export const accountRoutes = new Hono<AppEnv>();

// Only for the methods each path serves: a wrong method must answer 405 (app.ts), not 401.
// GET /v1/me authenticates in its own handler, reading the identities in the session check's round trip.
accountRoutes.on(["PATCH", "DELETE"], "/v1/me", requireCaller);
accountRoutes.on(["GET", "DELETE"], "/v1/sessions", requireCaller);
accountRoutes.delete("/v1/sessions/:id", requireCaller);

// The profile and the linked external identities: one D1 round trip, the session check's, for both.
accountRoutes.get("/v1/me", async (c) => {
  const result = await authenticateWithIdentities(c.get("services"), presentedAccessToken(c));
  if (!result.ok) throw new AppError(result.error);
  const { caller, identities } = result.value;
  c.set("principal", caller);
  return c.json({ ...toPublicUser(caller.user), identities: identities.map(toPublicIdentity) }, 200, NO_STORE);
});

accountRoutes.patch("/v1/me", async (c) => {
  const { first_name, last_name, ...rest } = await readBody(c, ProfilePatchBody);
  const changes = {
    ...rest,
    ...(first_name === undefined ? {} : { firstName: first_name }),
    ...(last_name === undefined ? {} : { lastName: last_name }),
  };
  const result = await updateProfile(c.get("services"), c.get("principal"), changes);
  if (!result.ok) throw new AppError(result.error);
  return c.json(toPublicUser(result.value), 200, NO_STORE);
});

accountRoutes.delete("/v1/me", async (c) => {
  const { password } = await readBody(c, DeleteAccountBody, true);
  const result = await deleteAccount(c.get("services"), clientInfo(c), c.get("principal"), password);
  if (!result.ok) throw new AppError(result.error);
  return c.body(null, 204);
});

accountRoutes.get("/v1/sessions", async (c) => {
  const principal = c.get("principal");
  const sessions = await listSessions(c.get("services"), principal);
  const view = sessions.map((session) => toPublicSession(session, principal.session.id));
  return c.json({ sessions: view }, 200, NO_STORE);
});

accountRoutes.delete("/v1/sessions", async (c) => {
  await endEverySession(c.get("services"), c.get("principal"), requestScope(c));
  return c.body(null, 204);
});

accountRoutes.delete("/v1/sessions/:id", async (c) => {
  const params = SessionIdParam.safeParse(c.req.param());
  if (!params.success) throw new AppError({ code: "session_not_found", reason: "malformed session id" });
  const result = await revokeOwnSession(c.get("services"), c.get("principal"), params.data.id, requestScope(c));
  if (!result.ok) throw new AppError(result.error);
  return c.body(null, 204);
});
