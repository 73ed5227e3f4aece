// The organization email-domain section of Config: ORG_DNS_RESOLVER_URL, the DNS-over-HTTPS JSON
// endpoint domain verification asks for TXT records (default Cloudflare's), and ORG_DNS_TIMEOUT_MS,
// its deadline (default 3000, 100..10000). A resolver that is not an https URL refuses the Worker:
// a verification must never be decided by plain-text DNS someone on the path can answer.

import * as z from "zod";
import { type Parsed, parseSection } from "./config-error";
import { wholeNumber, withDefault } from "./env-fields";

export const DEFAULT_DNS_RESOLVER_URL = "https://cloudflare-dns.com/dns-query";

const HttpsUrl = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return url.protocol === "https:" && !url.username && !url.password && !url.hash;
  } catch {
    return false;
  }
}, "must be an https URL without credentials or fragment");

const OrgDomainsEnv = z.object({
  ORG_DNS_RESOLVER_URL: withDefault(HttpsUrl, DEFAULT_DNS_RESOLVER_URL),
  ORG_DNS_TIMEOUT_MS: wholeNumber(100, 10_000, 3000),
});

export interface OrgDomainsConfig {
  resolverUrl: string;
  timeoutMs: number;
}

export function parseOrgDomainsEnv(env: Record<string, unknown>): Parsed<OrgDomainsConfig> {
  const parsed = parseSection(OrgDomainsEnv, env);
  return parsed.ok
    ? {
        ok: true,
        value: { resolverUrl: parsed.value.ORG_DNS_RESOLVER_URL, timeoutMs: parsed.value.ORG_DNS_TIMEOUT_MS },
      }
    : parsed;
}
