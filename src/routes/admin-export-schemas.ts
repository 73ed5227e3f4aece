// The user export's query and line shapes (GET /v1/admin/users/export): the same objects validate the
// query string and describe each JSON line in /openapi.json (src/routes/admin-export-openapi.ts).
// A line is an import row (the import/export contract) plus the read-only `id`, `updated_at` and
// `factors`, so an export file imports unchanged.

import * as z from "zod";
import { MAX_EXPORT_PAGE_SIZE } from "../services/user-export";

export const AdminExportQuery = z.strictObject({
  cursor: z
    .string()
    .max(200)
    .optional()
    .meta({ description: "The previous page's `Edge-Auth-Next-Cursor` header (opaque)." }),
  limit: z
    .string()
    .regex(/^[0-9]{1,4}$/, "must be a whole number")
    .transform(Number)
    .pipe(z.number().int().min(1).max(MAX_EXPORT_PAGE_SIZE))
    .optional()
    .meta({ description: `Users per page, 1–${MAX_EXPORT_PAGE_SIZE} (default ${MAX_EXPORT_PAGE_SIZE}).` }),
});

export const AdminExportLine = z
  .object({
    id: z.string(),
    email: z.string(),
    email_verified: z.boolean(),
    username: z.string().optional(),
    name: z.string().optional(),
    first_name: z.string().optional(),
    last_name: z.string().optional(),
    phone: z.string().optional(),
    phone_verified: z.boolean(),
    password_hash: z
      .string()
      .optional()
      .meta({ description: "Our PHC string, or an imported hash no login has upgraded yet; absent: passwordless." }),
    legacy_id: z.string().optional().meta({ description: "The old server's user id, when imported with one." }),
    disabled: z.boolean(),
    created_at: z.string(),
    updated_at: z.string(),
    identities: z.array(z.object({ provider: z.string(), subject: z.string(), email: z.string().optional() })),
    factors: z.object({ totp: z.boolean(), sms: z.boolean(), recovery_codes: z.number().int() }),
  })
  .strict()
  .meta({
    id: "AdminExportLine",
    description: "One line of the export (application/x-ndjson). Never a TOTP secret, recovery code or token.",
  });
