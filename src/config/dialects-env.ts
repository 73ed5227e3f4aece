// The dialects section of Config: DIALECTS (which of the older APIs of issue 11, "Dialects", are
// served; none unless listed) and each one's mount prefix, DIALECT_<NAME>_PREFIX (default "": the
// dialect's own documented paths). Unknown names, malformed prefixes and mounts
// that would share a path (with each other or with the native API) refuse the Worker here.

import * as z from "zod";
import { type Parsed, parseSection } from "./config-error";
import { DIALECT_NAMES, type DialectName, mountedPaths, NATIVE_PATHS, pathsOverlap } from "./dialect-paths";
import { commaList, trueOrFalse, withDefault } from "./env-fields";

export type { DialectName } from "./dialect-paths";

export interface DialectMount {
  name: DialectName;
  /** "" or `/segment…` without a trailing slash, put before each of the dialect's paths. */
  prefix: string;
}

type PrefixVariable = `DIALECT_${Uppercase<DialectName>}_PREFIX`;
export const prefixVariableOf = (name: DialectName) => `DIALECT_${name.toUpperCase()}_PREFIX` as PrefixVariable;

const dialectList = commaList
  .transform((names) => [...new Set(names)])
  .pipe(z.array(z.enum(DIALECT_NAMES, { error: `must list only ${DIALECT_NAMES.join(", ")}` })));

/** Path segments of unreserved URL characters; none starts with "." (no `/..` climbing out of it). */
const mountPrefix = withDefault(
  z
    .string()
    .max(64, "must be at most 64 characters")
    .regex(/^(\/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)*$/, 'must be "" or like /legacy (path segments, no trailing /)'),
  "",
);

const DialectsEnv = z.object({
  DIALECTS: dialectList,
  ...(Object.fromEntries(DIALECT_NAMES.map((name) => [prefixVariableOf(name), mountPrefix])) as Record<
    PrefixVariable,
    typeof mountPrefix
  >),
});

/** "A and B mount … on a shared path", for every pair of mounts (and the native API) that would. */
export function overlappingMounts(mounts: readonly DialectMount[]): string[] {
  const problems: string[] = [];
  mounts.forEach((mount, index) => {
    const paths = mountedPaths(mount.name, mount.prefix);
    if (paths.some((path) => NATIVE_PATHS.some((native) => pathsOverlap(path, native)))) {
      problems.push(`${prefixVariableOf(mount.name)} mounts ${mount.name} on the native API's paths`);
    }
    for (const other of mounts.slice(index + 1)) {
      const others = mountedPaths(other.name, other.prefix);
      if (paths.some((path) => others.some((otherPath) => pathsOverlap(path, otherPath)))) {
        const variables = `${prefixVariableOf(mount.name)} and ${prefixVariableOf(other.name)}`;
        problems.push(`${variables} mount ${mount.name} and ${other.name} on a shared path`);
      }
    }
  });
  return problems;
}

export function parseDialectsEnv(env: Record<string, unknown>): Parsed<DialectMount[]> {
  const parsed = parseSection(DialectsEnv, env);
  if (!parsed.ok) return parsed;
  const vars = parsed.value;
  const mounts = vars.DIALECTS.map((name) => ({ name, prefix: vars[prefixVariableOf(name)] }));
  const overlaps = overlappingMounts(mounts);
  return overlaps.length > 0 ? { ok: false, problems: overlaps } : { ok: true, value: mounts };
}

/** Each dialect's policy knobs (../shared/DIALECTS.md): where its document leaves a choice to us. */
export interface DialectPolicy {
  /** DIALECT_BOOKINGS_UNKNOWN_RESET: `not_found` answers an unknown address 404, as the document promises; `ok` answers 200 for every address. */
  bookingsUnknownReset: "not_found" | "ok";
  /** DIALECT_WOLFPAL_UNCONFIRMED_LOGIN: the origin let unconfirmed accounts log in; on by default. */
  wolfpalUnconfirmedLogin: boolean;
  /** DIALECT_NAP_API_KEYS (a secret): comma list of client keys; when any is set, every NAP path requires one in X-NAP-API-Key. */
  napApiKeys: string[];
  /**
   * DIALECT_NAP_REQUIRE_API_KEY, or implied by any DIALECT_NAP_API_KEYS: every NAP path requires
   * X-NAP-API-Key, which may also be an edge-auth API key holding the `nap` scope.
   */
  napApiKeyRequired: boolean;
  /** DIALECT_BIOENTRUST_PRODUCT_NAME: what GET /user/home welcomes to. */
  bioentrustProductName: string;
  /**
   * DIALECT_NAP_ORGS_REQUIRED (default false): NAP's sign-up needs an invite token or an address at a
   * domain an organization verified (policy restrict or auto_join); else 401.
   */
  napOrgsRequired: boolean;
}

const PolicyEnv = z.object({
  DIALECT_BOOKINGS_UNKNOWN_RESET: withDefault(
    z.enum(["not_found", "ok"], { error: "must be not_found or ok" }),
    "not_found",
  ),
  DIALECT_WOLFPAL_UNCONFIRMED_LOGIN: trueOrFalse("true"),
  DIALECT_NAP_API_KEYS: commaList.pipe(
    z.array(
      z
        .string()
        .min(16, "must list keys of at least 16 characters")
        .regex(/^[\x21-\x7e]+$/, "must list printable ASCII keys"),
    ),
  ),
  DIALECT_NAP_REQUIRE_API_KEY: trueOrFalse("false"),
  DIALECT_BIOENTRUST_PRODUCT_NAME: withDefault(z.string().max(100, "must be at most 100 characters"), "BioEntrust"),
  DIALECT_NAP_ORGS_REQUIRED: trueOrFalse("false"),
});

export function parseDialectPolicyEnv(env: Record<string, unknown>): Parsed<DialectPolicy> {
  const parsed = parseSection(PolicyEnv, env);
  if (!parsed.ok) return parsed;
  const vars = parsed.value;
  return {
    ok: true,
    value: {
      bookingsUnknownReset: vars.DIALECT_BOOKINGS_UNKNOWN_RESET,
      wolfpalUnconfirmedLogin: vars.DIALECT_WOLFPAL_UNCONFIRMED_LOGIN,
      napApiKeys: vars.DIALECT_NAP_API_KEYS,
      napApiKeyRequired: vars.DIALECT_NAP_REQUIRE_API_KEY || vars.DIALECT_NAP_API_KEYS.length > 0,
      bioentrustProductName: vars.DIALECT_BIOENTRUST_PRODUCT_NAME,
      napOrgsRequired: vars.DIALECT_NAP_ORGS_REQUIRED,
    },
  };
}

/**
 * Whether a mounted dialect signs accounts in before their address is verified: crema always (its
 * origin never verified), wolfpal while DIALECT_WOLFPAL_UNCONFIRMED_LOGIN is on. The others refuse
 * an unverified account (NAP, BioEntrust) or follow EMAIL_VERIFICATION (Bookings).
 */
export function dialectsSignInUnverified(mounts: readonly DialectMount[], policy: DialectPolicy): boolean {
  return mounts.some(({ name }) => name === "crema" || (name === "wolfpal" && policy.wolfpalUnconfirmedLogin));
}
