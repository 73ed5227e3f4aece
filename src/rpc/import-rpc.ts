// AuthService.importUsers (src/rpc/auth-service.ts keeps one line): the user import over RPC, the same
// service and snake_case answer as POST /v1/admin/users/import. Like every admin RPC method the
// binding's holder is trusted as an operator (src/rpc/admin-methods.ts), recorded with `via: "rpc"`.

import * as z from "zod";
import type { Bindings } from "../bindings";
import { type ImportOutcomeView, toImportOutcomeView } from "../routes/admin-import-views";
import { importUsers } from "../services/user-import";
import { type AdminRpcResult, parseRpcInput, type RequestScope, RPC_ADMIN, runAdmin } from "./admin-methods";

export const RpcImportInput = z.strictObject({ users: z.array(z.unknown()).min(1), dryRun: z.boolean().optional() });
export type RpcImportInputType = z.input<typeof RpcImportInput>;
export type ImportUsersResult = AdminRpcResult<ImportOutcomeView, "invalid_request" | "batch_too_large">;

export function importUsersOverRpc(env: Bindings, scope: RequestScope, input: unknown): Promise<ImportUsersResult> {
  const parsed = parseRpcInput(RpcImportInput, input);
  if (!parsed.ok) return Promise.resolve(parsed);
  const { users, dryRun } = parsed.value;
  return runAdmin(
    env,
    "importUsers",
    ["invalid_request", "batch_too_large"] as const,
    (context) => importUsers(context, RPC_ADMIN, { users, dryRun: dryRun ?? false }, scope),
    toImportOutcomeView,
  );
}
