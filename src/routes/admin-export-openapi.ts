// The user export in /openapi.json (src/routes/openapi.ts): an admin-key operation whose 200 body is
// application/x-ndjson, one AdminExportLine per line (the document generator names one schema per
// response, so the line's schema stands for the body).
import { API_KEY_SECURITY } from "./api-key-openapi";
import type { Operation } from "./openapi";
import "./admin-export-schemas";

const query = (name: string, type: string, description: string) => ({
  name,
  in: "query",
  required: false,
  description,
  schema: { type },
});

export const ADMIN_EXPORT_OPERATIONS: Operation[] = [
  {
    method: "get",
    path: "/v1/admin/users/export",
    summary:
      "Every user as JSON Lines (application/x-ndjson), oldest first; the next page's cursor is in the `Edge-Auth-Next-Cursor` header, absent on the last page (admin key)",
    security: API_KEY_SECURITY,
    parameters: [
      query("cursor", "string", "The previous page's `Edge-Auth-Next-Cursor` (opaque)."),
      query("limit", "integer", "Users per page, 1–1000 (default 1000)."),
    ],
    responses: { 200: "AdminExportLine", 401: "Problem", 403: "Problem" },
  },
];
