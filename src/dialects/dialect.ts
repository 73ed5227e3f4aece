// What a dialect module hands the registry: its routes at its own documented paths, and how every
// failure on those paths is rendered, so nothing on a dialect path is ever a problem document.

import type { Context, Hono } from "hono";
import type { Failure } from "../errors";
import type { AppEnv } from "../routes/http/app-env";

export type FailureResponder = (c: Context, failure: Failure, headers?: Record<string, string>) => Response;

export interface Dialect {
  /** Exactly the paths of its entry in src/config/dialect-paths.ts, without the mount prefix. */
  routes: Hono<AppEnv>;
  /** Refusals, parse errors, 404/405 and outages alike, in the dialect's own shape. */
  failureResponse: FailureResponder;
  /** Request headers its real clients send, which a CORS preflight must therefore accept. */
  corsRequestHeaders: readonly string[];
}
