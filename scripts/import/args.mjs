// Command-line options of the import and export CLIs: `--name value` or `--name=value`, flags, and
// positionals; anything unknown, repeated or malformed is a usage error (exit 2), never guessed. Also
// the checks both CLIs share: the server's URL and the admin key (from --key or the environment).

import { isLocalHostname } from "../deploy-check-rules.mjs";

export class UsageError extends Error {}

/** The environment variable that may hold the admin key, so it need not be on the command line. */
export const ADMIN_KEY_ENV = "EDGE_AUTH_ADMIN_KEY";

/**
 * `spec` maps option names to "string", "int" (1 or more), "count" (0 or more) or "flag"; `defaults`
 * fills what is absent. Answers `{ options, positionals }`, options under camelCase names
 * (`--dry-run` → `dryRun`).
 */
export function parseArgs(argv, spec, defaults = {}) {
  const options = { ...defaults };
  const given = new Set();
  const positionals = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("-")) {
      positionals.push(arg);
      continue;
    }
    if (!arg.startsWith("--")) throw new UsageError(`unknown option ${arg}`);
    const [name, inline] = arg.slice(2).split(/=(.*)/s, 2);
    const kind = Object.hasOwn(spec, name) ? spec[name] : undefined;
    if (!kind) throw new UsageError(`unknown option --${name}`);
    if (given.has(name)) throw new UsageError(`--${name} is given twice`);
    given.add(name);
    if (kind === "flag") {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      options[camel(name)] = true;
      continue;
    }
    const value = inline ?? argv[++i];
    if (value === undefined || value === "" || (inline === undefined && value.startsWith("--")))
      throw new UsageError(`--${name} needs a value`);
    if (kind === "int" || kind === "count") {
      const least = kind === "int" ? 1 : 0;
      if (!/^[0-9]{1,9}$/.test(value) || Number(value) < least)
        throw new UsageError(`--${name} must be a ${kind === "int" ? "positive" : "non-negative"} integer`);
      options[camel(name)] = Number(value);
    } else options[camel(name)] = value;
  }
  return { options, positionals };
}

const camel = (name) => name.replace(/-([a-z])/g, (_, letter) => letter.toUpperCase());

/** `value` as an integer option no larger than `max`, or a usage error. */
export function atMost(name, value, max) {
  if (value > max) throw new UsageError(`--${name} must be at most ${max}`);
  return value;
}

/**
 * `--url` as a base URL. Plain http only to a local host (localhost, 127.0.0.1, *.test…): anywhere
 * else the admin key would cross the network in clear text.
 */
export function baseUrl(value) {
  if (value === undefined)
    throw new UsageError("--url is required (the edge-auth server, e.g. https://auth.example.com)");
  let url;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError("--url must be a URL such as https://auth.example.com");
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new UsageError("--url must be http(s)");
  if (url.protocol === "http:" && !isLocalHostname(url.hostname))
    throw new UsageError("--url must be https (plain http only to a local host): the admin key would travel in clear");
  if (url.search !== "" || url.hash !== "" || url.username !== "" || url.password !== "")
    throw new UsageError("--url takes the server's origin (and path prefix) only: no query, fragment or credentials");
  return url.toString();
}

/**
 * The admin key from `--key` or else `EDGE_AUTH_ADMIN_KEY`. Only its shape is checked here (the server
 * judges it); the messages never repeat the value.
 */
export function adminKey(option, env) {
  const key = option ?? env[ADMIN_KEY_ENV];
  if (key === undefined || key === "") throw new UsageError(`an admin key is required: --key or ${ADMIN_KEY_ENV}`);
  if (!/^ea_sk_[0-9A-Za-z_]+$/.test(key)) throw new UsageError("the admin key is not an edge-auth API key (ea_sk_…)");
  return key;
}
