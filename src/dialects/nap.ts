// PLACEHOLDER, replaced by the dialect's own module (issue 11): mounts nothing yet.
import { Hono } from "hono";
import type { AppEnv } from "../routes/http/app-env";
import type { Dialect } from "./dialect";

export const nap: Dialect = {
  routes: new Hono<AppEnv>(),
  failureResponse: (c, failure) => c.json({ error: failure.code }, 400),
  corsRequestHeaders: [],
  operations: [],
};
