// GET /v1/admin/users/export: every user as JSON Lines (application/x-ndjson), oldest first, one page
// a call; the next page's cursor is in the Edge-Auth-Next-Cursor header (absent on the last page).
// Admin key only (admin-auth.ts). Mounted before admin-routes.ts, whose /v1/admin/users/:id would
// otherwise read "export" as a user id.

import { Hono } from "hono";
import { AppError } from "../errors";
import { exportUsers } from "../services/user-export";
import { adminActorOf, requireAdminKey } from "./admin-auth";
import { AdminExportQuery } from "./admin-export-schemas";
import { exportStream } from "./admin-export-views";
import type { AppEnv } from "./http/app-env";
import { toFieldIssues } from "./http/body";
import { requestScope } from "./http/request-scope";

export const EXPORT_PATH = "/v1/admin/users/export";
export const NEXT_CURSOR_HEADER = "Edge-Auth-Next-Cursor";

export const adminExportRoutes = new Hono<AppEnv>();

adminExportRoutes.get(EXPORT_PATH, requireAdminKey, async (c) => {
  const fields: Record<string, string> = {};
  for (const [name, values] of Object.entries(c.req.queries())) {
    if (values.length > 1)
      throw new AppError({ code: "invalid_request", issues: [{ field: name, message: "is repeated" }] });
    fields[name] = values[0] ?? "";
  }
  const parsed = AdminExportQuery.safeParse(fields);
  if (!parsed.success) throw new AppError({ code: "invalid_request", issues: toFieldIssues(parsed.error) });
  const { cursor, limit } = parsed.data;
  const result = await exportUsers(
    c.get("services"),
    adminActorOf(c.get("apiKey")),
    { ...(cursor === undefined ? {} : { cursor }), ...(limit === undefined ? {} : { limit }) },
    requestScope(c),
  );
  if (!result.ok) throw new AppError(result.error);
  const { users, nextCursor } = result.value;
  return c.body(exportStream(users), 200, {
    "Content-Type": "application/x-ndjson; charset=utf-8",
    "Cache-Control": "no-store",
    ...(nextCursor === null ? {} : { [NEXT_CURSOR_HEADER]: nextCursor }),
  });
});
