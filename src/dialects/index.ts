// The dialect registry: the dialects this version serves, mounted into the app where config says,
// and which one answers for a path, so that failures there (404 and 405 included) take its shape.

import type { Hono } from "hono";
import type { DialectMount } from "../config";
import { DIALECT_PATHS, type DialectName, isTree } from "../config/dialect-paths";
import type { AppEnv } from "../routes/http/app-env";
import { bioentrust } from "./bioentrust";
import { bookings } from "./bookings";
import { crema } from "./crema";
import type { Dialect } from "./dialect";
import { nap } from "./nap";
import { wolfpal } from "./wolfpal";

const SERVED: Record<DialectName, Dialect> = { crema, bookings, nap, wolfpal, bioentrust };

export const dialectOf = (name: DialectName): Dialect => SERVED[name];

/** A mounted path of a dialect, and the methods its routes answer there ("" for a claimed tree). */
interface OwnedPath {
  pattern: RegExp;
  dialect: Dialect;
  allow: string;
}

export interface MountedDialects {
  /** The dialect whose mounted paths hold `path`, and the methods it answers there (none: a 404). */
  ownerOf(path: string): Omit<OwnedPath, "pattern"> | undefined;
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** `:name` is one segment, as in Hono's routes; `/x/*` is /x and everything below it. */
function patternOf(path: string): RegExp {
  const root = isTree(path) ? path.slice(0, -2) : path;
  const segments = root.split("/").map((segment) => (segment.startsWith(":") ? "[^/]+" : escapeRegExp(segment)));
  return new RegExp(`^${segments.join("/")}${isTree(path) ? "(/.*)?" : ""}$`);
}

function methodsAt(dialect: Dialect, path: string): string {
  const methods = dialect.routes.routes.filter((route) => route.path === path && route.method !== "ALL");
  return [...new Set(methods.map((route) => route.method))].sort().join(", ");
}

/** The request headers the mounted dialects' clients send, for the CORS preflight. */
export function dialectRequestHeaders(mounts: readonly DialectMount[]): string[] {
  return [...new Set(mounts.flatMap((mount) => dialectOf(mount.name).corsRequestHeaders))];
}

/** Mounts each dialect's routes under its prefix; call after the native routes. */
export function mountDialects(app: Hono<AppEnv>, mounts: readonly DialectMount[]): MountedDialects {
  const exact: OwnedPath[] = [];
  const trees: OwnedPath[] = [];
  for (const { name, prefix } of mounts) {
    const dialect = dialectOf(name);
    app.route(prefix === "" ? "/" : prefix, dialect.routes);
    for (const path of DIALECT_PATHS[name].paths) {
      const owned = {
        pattern: patternOf(`${prefix}${path}`),
        dialect,
        allow: isTree(path) ? "" : methodsAt(dialect, path),
      };
      (isTree(path) ? trees : exact).push(owned);
    }
  }
  return {
    ownerOf(path) {
      // A route's own path before a claimed tree around it: that path answers 405, the rest 404.
      const found = exact.find((entry) => entry.pattern.test(path)) ?? trees.find((entry) => entry.pattern.test(path));
      return found && { dialect: found.dialect, allow: found.allow };
    },
  };
}
