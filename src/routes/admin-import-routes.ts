// POST /v1/admin/users/import: up to 500 users a call from an old server (src/services/user-import.ts).
// Admin key only (admin-auth.ts). Its body may be far larger than any other route's (500 realistic rows
// with hashes and identities are ~1 MB), so it reads up to IMPORT_MAX_BODY_BYTES and answers 413
// payload_too_large beyond. Mounted before admin-routes.ts, whose /v1/admin/users/:id would otherwise
// read "import" as a user id.

import { Hono } from "hono";
import { AppError } from "../errors";
import { importUsers } from "../services/user-import";
import { adminActorOf, requireAdminKey } from "./admin-auth";
import { AdminImportBody } from "./admin-import-schemas";
import { toImportOutcomeView } from "./admin-import-views";
import type { AppEnv } from "./http/app-env";
import { readBodyObject, toFieldIssues } from "./http/body";
import { problemResponse } from "./http/problem";
import { requestScope } from "./http/request-scope";

export const IMPORT_PATH = "/v1/admin/users/import";
/** 500 rows of about 2 KB each at most, with room to spare. */
export const IMPORT_MAX_BODY_BYTES = 2 * 1024 * 1024;

export const adminImportRoutes = new Hono<AppEnv>();

adminImportRoutes.post(IMPORT_PATH, requireAdminKey, async (c) => {
  const parsed = AdminImportBody.safeParse(await readBodyObject(c, false, IMPORT_MAX_BODY_BYTES));
  if (!parsed.success) throw new AppError({ code: "invalid_request", issues: toFieldIssues(parsed.error) });
  const result = await importUsers(
    c.get("services"),
    adminActorOf(c.get("apiKey")),
    { users: parsed.data.users, dryRun: parsed.data.dry_run ?? false },
    requestScope(c),
  );
  if (!result.ok) throw new AppError(result.error);
  return c.json(toImportOutcomeView(result.value), 200, { "Cache-Control": "no-store" });
});

// Any other method would otherwise reach /v1/admin/users/:id with "import" as an id (a 404): behind the
// same gate as every admin route, 405 as app.ts answers a wrong method (after POST, which answers first).
adminImportRoutes.all(IMPORT_PATH, requireAdminKey, (c) =>
  problemResponse(c, { code: "method_not_allowed" }, { Allow: "POST" }),
);
