// The user import's request and answer shapes (POST /v1/admin/users/import): the same objects validate
// the request and describe it in /openapi.json (src/routes/admin-import-openapi.ts). Rows are checked
// one by one by the service (src/services/user-import-rows.ts), so a bad row is refused on its own
// instead of failing the batch; only the batch's own shape is judged here.

import * as z from "zod";

export const AdminImportBody = z
  .strictObject({
    users: z.array(z.unknown()).min(1).meta({
      description:
        "1–500 rows of the import/export contract: email, email_verified, username, name, first_name, last_name, phone, phone_verified, created_at, legacy_id, id, password_hash or password, totp_secret, disabled, identities. At most 10 rows with a plaintext password a call.",
    }),
    dry_run: z.boolean().optional().meta({ description: "Validate and predict every row's status; write nothing." }),
  })
  .meta({ id: "AdminImportRequest" });

const RowError = z.object({ code: z.string(), field: z.string().optional(), reason: z.string() });

export const AdminImportResponse = z
  .object({
    results: z.array(
      z.object({
        index: z.number().int(),
        status: z.enum(["created", "unchanged", "rejected"]),
        user_id: z.string().optional(),
        error: RowError.optional(),
      }),
    ),
    created: z.number().int(),
    unchanged: z.number().int(),
    rejected: z.number().int(),
    dry_run: z.boolean(),
  })
  .meta({ id: "AdminImportResponse", description: "One result per row, in order. Never a password, hash or secret." });
