// The user import in /openapi.json (src/routes/openapi.ts): an admin-key operation.
import { API_KEY_SECURITY } from "./api-key-openapi";
import type { Operation } from "./openapi";
import "./admin-import-schemas";

export const ADMIN_IMPORT_OPERATIONS: Operation[] = [
  {
    method: "post",
    path: "/v1/admin/users/import",
    summary:
      "Import up to 500 users from an old server (hashes in their original format, or plaintext hashed on import); each row is created, unchanged or rejected on its own (admin key)",
    security: API_KEY_SECURITY,
    body: "AdminImportRequest",
    responses: { 200: "AdminImportResponse", 400: "Problem", 401: "Problem", 403: "Problem", 413: "Problem" },
  },
];
