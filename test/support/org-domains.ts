// Helpers for the organization email-domain suites: a fake DNS-over-HTTPS resolver behind the
// intercepted outbound fetch (as test/support/mail.ts's provider tests stub fetch; any other host fails
// like an unreachable network), unique domains, and domains added and verified the way an admin would.
import { env } from "cloudflare:workers";
import { vi } from "vitest";
import type { TestAccount } from "./accounts";
import { call, readJson } from "./http";
import type { TestOrg } from "./orgs";

export const DOH_URL = "https://cloudflare-dns.com/dns-query";

export interface FakeResolver {
  /** TXT values by name (`_edge-auth.<domain>`); a name absent here answers NXDOMAIN. */
  txt: Map<string, string[]>;
  /** ok: answers from `txt`; error: HTTP 500; hang: never answers (until the Worker's deadline aborts); servfail: DNS status 2. */
  mode: "ok" | "error" | "hang" | "servfail";
  /** Every URL asked, with its accept header. */
  requests: { url: string; accept: string | null }[];
}

export function installResolver(): FakeResolver {
  const fake: FakeResolver = { txt: new Map(), mode: "ok", requests: [] };
  vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (`${url.origin}${url.pathname}` !== DOH_URL) throw new TypeError("Network connection lost.");
    fake.requests.push({ url: request.url, accept: request.headers.get("accept") });
    if (fake.mode === "error") return new Response("oops", { status: 500 });
    if (fake.mode === "hang") {
      return new Promise<Response>((_, reject) => {
        init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
      });
    }
    const name = url.searchParams.get("name") ?? "";
    const values = fake.txt.get(name);
    const body =
      fake.mode === "servfail"
        ? { Status: 2 }
        : values
          ? { Status: 0, Answer: values.map((value) => ({ name, type: 16, TTL: 300, data: `"${value}"` })) }
          : { Status: 3 };
    return new Response(JSON.stringify(body), { headers: { "Content-Type": "application/dns-json" } });
  });
  return fake;
}

export const uniqueDomain = (prefix = "acme"): string => `${prefix}-${crypto.randomUUID().slice(0, 8)}.test`;

export interface PublicDomain {
  id: string;
  domain: string;
  policy: string;
  default_role: string;
  verified: boolean;
  verification: { type: string; name: string; value: string };
}

export function addDomain(org: TestOrg, json: Record<string, unknown>, actor: TestAccount = org.owner) {
  return call("POST", `/v1/orgs/${org.id}/domains`, { token: actor.tokens.access_token, json });
}

export function verifyDomainCall(org: TestOrg, domainId: string, actor: TestAccount = org.owner) {
  return call("POST", `/v1/orgs/${org.id}/domains/${domainId}/verify`, { token: actor.tokens.access_token });
}

/** Adds `domain` with `policy`, publishes its record in `resolver`, verifies it; answers the domain. */
export async function verifiedDomain(
  resolver: FakeResolver,
  org: TestOrg,
  domain: string,
  policy = "auto_join",
  defaultRole = "member",
): Promise<PublicDomain> {
  const added = await addDomain(org, { domain, policy, default_role: defaultRole });
  if (added.status !== 201) throw new Error(`add failed: ${added.status} ${await added.text()}`);
  const row = await readJson<PublicDomain>(added);
  resolver.txt.set(row.verification.name, [row.verification.value]);
  const verified = await verifyDomainCall(org, row.id);
  if (verified.status !== 200) throw new Error(`verify failed: ${verified.status} ${await verified.text()}`);
  return readJson<PublicDomain>(verified);
}

export interface DomainState {
  organization_id: string;
  domain: string;
  verified_at: number | null;
  policy: string;
  default_role: string;
}

export async function domainRows(domain: string): Promise<DomainState[]> {
  const { results } = await env.DB.prepare(
    "select organization_id, domain, verified_at, policy, default_role from org_domains where domain = ? order by rowid",
  )
    .bind(domain)
    .all<DomainState>();
  return results;
}
