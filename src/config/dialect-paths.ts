// Where each dialect's routes lie (relative to its mount prefix) and where the native API's lie: the
// map config reads to refuse a mount that would share a path with another. From issue 11's contract.

/** Every dialect the contract names, each served by its module in src/dialects/. */
export const DIALECT_NAMES = ["crema", "bookings", "nap", "wolfpal", "bioentrust"] as const;
export type DialectName = (typeof DIALECT_NAMES)[number];

/**
 * The paths each dialect's routes answer, exact, trailing slashes significant (Bookings'
 * `/auth/register/` is not wolfpal's `/auth/register`), so all five fit at the root side by side;
 * `:name` matches one segment. `/x/*` claims /x and all below it for the dialect's 404s.
 */
export const DIALECT_PATHS = {
  crema: {
    // /api/v1 is the document's own root; /api/… beyond its paths is left to others (NAP's /api/auth/…).
    paths: ["/api/v1/*", "/api/v1/users", "/api/users", "/api/v1/auth", "/api/auth", "/api/refresh", "/api/logout"],
  },
  bookings: {
    // Its own subtrees for its 404s; not /auth/register/* (wolfpal answers /auth/register).
    paths: [
      "/auth/token/*",
      "/auth/password/*",
      "/auth/social/*",
      "/auth/register/",
      "/auth/token/",
      "/auth/token/refresh/",
      "/auth/token/verify/",
      "/auth/password/reset/",
      "/auth/password/reset/verify",
      "/auth/password/reset/verify/",
      "/auth/password/reset/confirm/",
      "/auth/social/google-oauth2",
      "/auth/social/google-oauth2/",
    ],
  },
  nap: {
    // Not /api/auth/* (crema answers /api/auth itself): the subtrees only NAP has.
    paths: [
      "/api/auth/flow/*",
      "/api/auth/verify-email/*",
      "/api/auth/signup",
      "/api/auth/login",
      "/api/auth/flow/:flowId",
      "/api/auth/flow/:flowId/org",
      "/api/auth/refresh",
      "/api/auth/logout",
      "/api/auth/verify-email/send",
      "/api/auth/verify-email/verify",
    ],
  },
  wolfpal: {
    paths: ["/auth/register", "/auth/login", "/auth/two-factor", "/auth/refresh", "/auth/logout"],
  },
  bioentrust: {
    // /user is the origin's own root: nothing else lies there, so its unknown paths answer its 404.
    paths: [
      "/user/*",
      "/user/home",
      "/user/protected",
      "/user/signup",
      "/user/verify-email",
      "/user/verify_email",
      "/user/signin",
      "/user/verify-sms",
      "/user/verify_sms",
      "/user/signout",
      "/user/refresh",
      "/user/forgot-password",
      "/auth/reset-password",
      "/user/reset-password",
      "/user/reset-password/",
    ],
  },
} as const satisfies Record<DialectName, { paths: readonly string[] }>;

/** The native API's: `/x/*` is /x and everything under it. No dialect may mount a path here. */
export const NATIVE_PATHS: readonly string[] = [
  "/v1/*",
  "/.well-known/*",
  "/dev/*",
  "/docs/*",
  "/health",
  "/openapi.json",
  "/verify-email",
  "/reset-password",
];

const segmentsOf = (path: string) => path.split("/").slice(1);
export const isTree = (pattern: string) => pattern.endsWith("/*");
const rootOf = (pattern: string) => segmentsOf(isTree(pattern) ? pattern.slice(0, -2) : pattern);

function segmentsMatch(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((segment, i) => segment === b[i] || segment[0] === ":" || b[i]?.[0] === ":");
}

/** The path (or another tree's root) is the tree's root or lies below it. */
const treeHolds = (root: string[], path: string[]) =>
  path.length >= root.length && segmentsMatch(root, path.slice(0, root.length));

/** True when some request path would be routed by both patterns. */
export function pathsOverlap(a: string, b: string): boolean {
  if (isTree(a) && treeHolds(rootOf(a), rootOf(b))) return true;
  if (isTree(b) && treeHolds(rootOf(b), rootOf(a))) return true;
  return !isTree(a) && !isTree(b) && segmentsMatch(rootOf(a), rootOf(b));
}

/** The paths a dialect serves under `prefix`. */
export const mountedPaths = (name: DialectName, prefix: string): string[] =>
  DIALECT_PATHS[name].paths.map((path: string) => `${prefix}${path}`);
