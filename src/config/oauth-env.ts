// The social-login section of Config (OAUTH_*): which providers are on and their credentials, the
// exact-match allowlist of SPA URLs a redirect flow may return to, and the provider deadline. A
// provider is on once any of its variables is set, and then every one it needs must be: an
// incomplete provider refuses the Worker (never a provider half on). OAUTH_*_CLIENT_SECRET and
// OAUTH_APPLE_PRIVATE_KEY are secrets.

import * as z from "zod";
import { isLocalIssuer } from "../local-issuer";
import { type Parsed, parseSection } from "./config-error";
import { commaList, wholeNumber } from "./env-fields";

export const BUILT_IN_PROVIDERS = ["google", "github", "apple", "microsoft"] as const;

export interface OAuthProvider {
  /** "google", "github", "apple", "microsoft", or a generic OIDC provider's configured name. */
  name: string;
  /** `github` speaks OAuth 2.0 and its REST API; every other provider is OIDC (discovery, ID tokens). */
  kind: "oidc" | "github";
  /** The OIDC issuer (discovery is read from it); GitHub's web origin for github. */
  issuer: string;
  clientId: string;
  /** The client ids whose credentials are accepted as `aud`/`azp`: clientId and OAUTH_<P>_AUDIENCES. */
  audiences: string[];
  /** Null for Apple, whose client secret is a JWT signed with `apple` at each exchange. */
  clientSecret: string | null;
  apple: { teamId: string; keyId: string; privateKey: string } | null;
  /** Microsoft Entra: the account key is `tid:oid`, never the mutable email or the pairwise `sub`. */
  subject: "sub" | "tid_oid";
  /** Apple answers the callback as a cross-site form POST. */
  responseMode: "query" | "form_post";
  scopes: string[];
}

export interface OAuthConfig {
  providers: OAuthProvider[];
  /** OAUTH_REDIRECT_ALLOWLIST: exact URLs a redirect flow may send the browser back to. */
  redirectAllowlist: string[];
  timeoutMs: number;
}

const NAME = /^[a-z][a-z0-9]{1,19}$/;
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PRINTABLE = /^[\x21-\x7e]+$/;

const value = (env: Record<string, unknown>, name: string): string | undefined => {
  const raw = env[name];
  return typeof raw === "string" && raw.trim() !== "" ? raw.trim() : undefined;
};

/** An https URL (http only on this machine) without a fragment, credentials or trailing slash. */
function urlProblem(text: string, allowTrailingSlash = false): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "must be an absolute URL";
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLocalIssuer(url.origin))) return "must be https";
  if (url.hash || url.username || url.password) return "must have no fragment or credentials";
  if (!allowTrailingSlash && text.endsWith("/")) return "must not end with /";
  return null;
}

interface ProviderPlan {
  name: string;
  prefix: string;
  kind: OAuthProvider["kind"];
  issuer?: string;
}

function readProvider(env: Record<string, unknown>, plan: ProviderPlan, problems: string[]): OAuthProvider | null {
  const { prefix, name } = plan;
  const fields = ["CLIENT_ID", "CLIENT_SECRET", "AUDIENCES", "TEAM_ID", "KEY_ID", "PRIVATE_KEY", "TENANT"];
  const anySet = fields.some((field) => value(env, `${prefix}_${field}`) !== undefined);
  if (!anySet && !plan.issuer) return null;
  const need = (field: string): string => {
    const found = value(env, `${prefix}_${field}`);
    if (found === undefined) problems.push(`${prefix}_${field} is required once ${name} sign-in is configured`);
    else if (field !== "PRIVATE_KEY" && !PRINTABLE.test(found))
      problems.push(`${prefix}_${field} must be printable ASCII`);
    return found ?? "";
  };
  const clientId = need("CLIENT_ID");
  const apple =
    name === "apple" ? { teamId: need("TEAM_ID"), keyId: need("KEY_ID"), privateKey: need("PRIVATE_KEY") } : null;
  if (apple && apple.privateKey !== "" && !apple.privateKey.includes("BEGIN PRIVATE KEY"))
    problems.push(`${prefix}_PRIVATE_KEY must be a PKCS#8 PEM key`);
  const clientSecret = name === "apple" ? null : need("CLIENT_SECRET");
  let issuer = plan.issuer ?? "";
  if (name === "microsoft") {
    const tenant = need("TENANT");
    if (tenant !== "" && !GUID.test(tenant)) problems.push(`${prefix}_TENANT must be a tenant id (a GUID)`);
    issuer = `https://login.microsoftonline.com/${tenant.toLowerCase()}/v2.0`;
  }
  const extra = commaList.parse(env[`${prefix}_AUDIENCES`]);
  return {
    name,
    kind: plan.kind,
    issuer,
    clientId,
    audiences: [...new Set([clientId, ...extra])],
    clientSecret,
    apple,
    subject: name === "microsoft" ? "tid_oid" : "sub",
    responseMode: name === "apple" ? "form_post" : "query",
    scopes:
      plan.kind === "github"
        ? ["read:user", "user:email"]
        : name === "apple"
          ? ["openid", "email", "name"]
          : ["openid", "email", "profile"],
  };
}

const BUILT_IN_PLANS: ProviderPlan[] = [
  { name: "google", prefix: "OAUTH_GOOGLE", kind: "oidc", issuer: undefined },
  { name: "github", prefix: "OAUTH_GITHUB", kind: "github" },
  { name: "apple", prefix: "OAUTH_APPLE", kind: "oidc" },
  { name: "microsoft", prefix: "OAUTH_MICROSOFT", kind: "oidc" },
];
const BUILT_IN_ISSUERS: Record<string, string> = {
  google: "https://accounts.google.com",
  github: "https://github.com",
  apple: "https://appleid.apple.com",
};

/** OAUTH_OIDC_PROVIDERS: `name=https://issuer` pairs, comma separated. */
function genericPlans(env: Record<string, unknown>, problems: string[]): ProviderPlan[] {
  const plans: ProviderPlan[] = [];
  for (const entry of commaList.parse(env.OAUTH_OIDC_PROVIDERS)) {
    const at = entry.indexOf("=");
    const name = entry.slice(0, at).trim();
    const issuer = entry.slice(at + 1).trim();
    const problem = at < 0 ? "must be name=issuer" : urlProblem(issuer);
    if (problem) problems.push(`OAUTH_OIDC_PROVIDERS ${problem}`);
    else if (!NAME.test(name)) problems.push("OAUTH_OIDC_PROVIDERS names must be 2..20 lower-case letters and digits");
    else if ((BUILT_IN_PROVIDERS as readonly string[]).includes(name) || plans.some((plan) => plan.name === name))
      problems.push(`OAUTH_OIDC_PROVIDERS names ${name} twice or a built-in provider`);
    else plans.push({ name, prefix: `OAUTH_${name.toUpperCase()}`, kind: "oidc", issuer });
  }
  return plans;
}

const TimeoutEnv = z.object({ OAUTH_TIMEOUT_MS: wholeNumber(500, 30_000, 5000) });

export function parseOAuthEnv(env: Record<string, unknown>): Parsed<OAuthConfig> {
  const problems: string[] = [];
  const providers: OAuthProvider[] = [];
  for (const plan of BUILT_IN_PLANS) {
    const read = readProvider(env, plan, problems);
    if (read) providers.push({ ...read, issuer: BUILT_IN_ISSUERS[plan.name] ?? read.issuer });
  }
  for (const plan of genericPlans(env, problems)) {
    const read = readProvider(env, plan, problems);
    if (read) providers.push(read);
  }
  const redirectAllowlist = commaList.parse(env.OAUTH_REDIRECT_ALLOWLIST);
  for (const url of redirectAllowlist) {
    // The callback appends `code` or `error` to the entry: one already there would shadow ours.
    const problem =
      urlProblem(url, true) ??
      (/[?&](code|error)(=|&|$)/.test(url) ? "must not carry a code or error parameter" : null);
    if (problem) problems.push(`OAUTH_REDIRECT_ALLOWLIST entries ${problem}`);
  }
  const timeout = parseSection(TimeoutEnv, env);
  if (!timeout.ok) problems.push(...timeout.problems);
  if (problems.length > 0 || !timeout.ok) return { ok: false, problems };
  return { ok: true, value: { providers, redirectAllowlist, timeoutMs: timeout.value.OAUTH_TIMEOUT_MS } };
}
