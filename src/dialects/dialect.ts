// What a dialect module hands the registry: its routes at its own documented paths, how every
// failure on those paths is rendered (so nothing on a dialect path is ever a problem document), and
// its operations for /openapi.json, under its own tag.

import type { Context, Hono } from "hono";
import type * as z from "zod";
import type { Failure } from "../errors";
import type { AppEnv } from "../routes/http/app-env";

export type FailureResponder = (c: Context, failure: Failure, headers?: Record<string, string>) => Response;

/** One documented operation, as /openapi.json shows it (schemas describe the wire, in the dialect's own shape). */
export interface DialectOperation {
  method: "get" | "post" | "delete";
  /** Relative to the mount prefix, OpenAPI style (`/api/auth/flow/{flowId}`). */
  path: string;
  summary: string;
  /** The request body's fields; sent as JSON or a form unless `bodyTypes` says otherwise. */
  body?: z.ZodType;
  bodyTypes?: readonly ("json" | "form")[];
  /** Request headers the route reads (tokens, keys), each described. */
  headers?: Readonly<Record<string, string>>;
  /** Reads `Authorization: Bearer`. */
  bearer?: boolean;
  /** Every documented answer, errors included, each with the shape of its body. */
  responses: Readonly<Record<number, { description: string; schema: z.ZodType }>>;
}

export interface Dialect {
  /** Exactly the paths of its entry in src/config/dialect-paths.ts, without the mount prefix. */
  routes: Hono<AppEnv>;
  /** Refusals, parse errors, 404/405 and outages alike, in the dialect's own shape. */
  failureResponse: FailureResponder;
  /** Request headers its real clients send, which a CORS preflight must therefore accept. */
  corsRequestHeaders: readonly string[];
  /** Its operations in /openapi.json, tagged with its name. */
  operations: readonly DialectOperation[];
}
