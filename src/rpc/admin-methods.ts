// The admin API over RPC, for AuthService's admin methods (src/rpc/auth-service.ts): the same services
// as /v1/admin/…, the same snake_case shapes, every answer `{ ok: true, … }` or `{ ok: false, code }`.
// The caller holds the service binding, so it is trusted as an operator (there is no key to check);
// its actions are recorded with `via: "rpc"` and no acting key. Input is checked here, since a binding
// passes any structured value.

import * as z from "zod";
import type { Bindings } from "../bindings";
import type { ErrorCode, FieldIssue, Result } from "../errors";
import { toAdminUser, toAdminUserDetail } from "../routes/admin-views";
import { toFieldIssues } from "../routes/http/body";
import type { AdminActor } from "../services/admin-actions";
import { MAX_USER_PAGE_SIZE } from "../services/admin-user-service";
import type { RequestScope, ServiceContext } from "../services/context";
import { MAX_EVENT_PAGE } from "../services/security-events";
import type { UnexpectedFailureCode } from "../unexpected-error";
import { answerRpc } from "./answer-rpc";

export const RPC_ADMIN: AdminActor = { keyId: null, userId: null, via: "rpc" };

/** A refusal: the code, and for `invalid_request` the fields at fault (snake_case, as over HTTP). */
export type AdminRpcFailure<C extends ErrorCode> = {
  ok: false;
  code: C | UnexpectedFailureCode;
  errors?: FieldIssue[];
};

export type AdminRpcResult<T, C extends ErrorCode> = ({ ok: true } & T) | AdminRpcFailure<C>;

const MAX_ID_LENGTH = 64;
export const isUserId = (value: unknown): value is string =>
  typeof value === "string" && value.length > 0 && value.length <= MAX_ID_LENGTH;

const time = z.iso.datetime({ offset: true }).transform((text) => Math.floor(Date.parse(text) / 1000));

/** What adminListUsers accepts: the HTTP query's fields, `limit` as a number. */
export const RpcUserQuery = z.strictObject({
  email: z.string().max(320).optional(),
  id: z.string().min(1).max(MAX_ID_LENGTH).optional(),
  created_after: time.optional(),
  created_before: time.optional(),
  cursor: z.string().max(200).optional(),
  limit: z.number().int().min(1).max(MAX_USER_PAGE_SIZE).optional(),
});

export type RpcUserQueryInput = z.input<typeof RpcUserQuery>;

export const RpcEventPage = z.strictObject({
  cursor: z.string().min(1).max(200).optional(),
  limit: z.number().int().min(1).max(MAX_EVENT_PAGE).optional(),
});

export type RpcEventPageInput = z.input<typeof RpcEventPage>;

export const RpcAdminKeyInput = z.strictObject({
  user_id: z.string().min(1).max(MAX_ID_LENGTH),
  name: z.string().trim().min(1).max(100),
  /** Seconds, 60 s to 10 years; absent: no expiry. */
  expires_in: z.number().int().min(60).max(315_360_000).optional(),
});

export type RpcAdminKeyInputType = z.input<typeof RpcAdminKeyInput>;

/** Parses `input`, or answers invalid_request naming each field. */
export function parseRpcInput<S extends z.ZodType>(
  schema: S,
  input: unknown,
): { ok: true; value: z.output<S> } | AdminRpcFailure<"invalid_request"> {
  const parsed = schema.safeParse(input ?? {});
  return parsed.success
    ? { ok: true, value: parsed.data }
    : { ok: false, code: "invalid_request", errors: toFieldIssues(parsed.error) };
}

/**
 * Runs `work` under answerRpc and maps its Result: success through `view`, an expected failure to
 * its code (only the codes in `codes` leave; anything else is reported as internal_error).
 */
export function runAdmin<V, T, C extends ErrorCode>(
  env: Bindings,
  method: string,
  codes: readonly C[],
  work: (context: ServiceContext) => Promise<Result<V>>,
  view: (value: V) => T,
): Promise<AdminRpcResult<T, C>> {
  return answerRpc<AdminRpcResult<T, C>>(
    env,
    method,
    (code) => ({ ok: false, code }),
    async (context) => {
      const result = await work(context);
      if (result.ok) return { ok: true, ...view(result.value) };
      const { code, issues } = result.error;
      if (!(codes as readonly ErrorCode[]).includes(code)) {
        console.error(JSON.stringify({ event: "rpc_unexpected_code", method, code }));
        return { ok: false, code: "internal_error" };
      }
      return { ok: false, code: code as C, ...(issues?.length ? { errors: issues } : {}) };
    },
  );
}

export type { RequestScope };
export { toAdminUser, toAdminUserDetail };
