// Organization email domains: add (normalized, IDNA-safe, public mail domains refused), list, verify by
// a TXT record read over DNS-over-HTTPS (present, absent, wrong value; resolver failure or timeout →
// 503 with nothing changed), one verified owner per domain under parallel verifies, policy, removal.
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { callWith, expectProblem, readJson } from "./support/http";
import {
  addDomain,
  DOH_URL,
  domainRows,
  type FakeResolver,
  installResolver,
  type PublicDomain,
  uniqueDomain,
  verifyDomainCall,
} from "./support/org-domains";
import { createOrg, joinAs } from "./support/orgs";

/** Each test makes several accounts and organizations: room for a loaded machine. */
const HEAVY = { timeout: 30_000 };

let resolver: FakeResolver;
beforeEach(() => {
  resolver = installResolver();
});
afterEach(() => {
  vi.restoreAllMocks();
});

/** A short resolver deadline, so the hanging resolver's test waits 200 ms. */
const quickDns = { ...env, ORG_DNS_TIMEOUT_MS: "200" };

async function added(org: Awaited<ReturnType<typeof createOrg>>, domain: string): Promise<PublicDomain> {
  const response = await addDomain(org, { domain });
  expect(response.status).toBe(201);
  return readJson<PublicDomain>(response);
}

describe("adding a domain", HEAVY, () => {
  it("stores the normalized name, unverified, and answers the TXT record to publish", async () => {
    const org = await createOrg();
    const domain = uniqueDomain();
    const body = await added(org, `  ${domain.toUpperCase()}. `);
    expect(body).toMatchObject({ domain, policy: "suggest", default_role: "member", verified: false });
    expect(body.verification).toEqual({
      type: "TXT",
      name: `_edge-auth.${domain}`,
      value: expect.stringMatching(/^edge-auth-verify=[\w-]{43,}$/),
    });
    expect(await domainRows(domain)).toEqual([
      expect.objectContaining({ organization_id: org.id, verified_at: null, policy: "suggest" }),
    ]);
  });

  it("stores internationalized names in punycode: one name however it is spelled", async () => {
    const org = await createOrg();
    const label = `bücher${crypto.randomUUID().slice(0, 6)}`;
    const body = await added(org, `${label.toUpperCase()}.de`);
    expect(body.domain).toMatch(/^xn--b[a-z0-9]*-[a-z0-9]+\.de$/);
    await expectProblem(await addDomain(org, { domain: body.domain }), 409, "domain_taken");
    expect(await domainRows(body.domain)).toHaveLength(1);
  });

  it("refuses public mail domains, their subdomains and families (400 public_mail_domain), storing nothing", async () => {
    const org = await createOrg();
    for (const domain of ["gmail.com", "GMAIL.COM", "mail.outlook.com", "gmx.de", "yandex.com.tr", "ｇｍａｉｌ.com"]) {
      await expectProblem(await addDomain(org, { domain }), 400, "public_mail_domain");
    }
    const { count } = (await env.DB.prepare("select count(*) as count from org_domains where organization_id = ?")
      .bind(org.id)
      .first<{ count: number }>()) ?? { count: -1 };
    expect(count).toBe(0);
  });

  it("refuses what is not a domain name (400 invalid_request naming the field)", async () => {
    const org = await createOrg();
    for (const domain of ["localhost", "1.2.3.4", "acme.com/x", "a@acme.com", "-acme.com", "acme..com", "ac me.com"]) {
      await expectProblem(await addDomain(org, { domain }), 400, "invalid_request");
    }
    await expectProblem(await addDomain(org, { domain: "acme.com", policy: "everyone" }), 400, "invalid_request");
    await expectProblem(await addDomain(org, { domain: "acme.com", default_role: "owner" }), 400, "invalid_request");
  });

  it("is for owners and admins: a member gets 403, a stranger 404; list answers the records", async () => {
    const org = await createOrg();
    const admin = await joinAs(org, "admin");
    const member = await joinAs(org, "member");
    const domain = uniqueDomain();
    await expectProblem(await addDomain(org, { domain }, member), 403, "org_forbidden");
    expect((await addDomain(org, { domain }, admin)).status).toBe(201);
    const list = await callWith(env, "GET", `/v1/orgs/${org.id}/domains`, { token: admin.tokens.access_token });
    expect((await readJson<{ domains: PublicDomain[] }>(list)).domains.map((row) => row.domain)).toEqual([domain]);
    const other = await createOrg();
    await expectProblem(await addDomain(org, { domain: uniqueDomain() }, other.owner), 404, "org_not_found");
  });
});

describe("verifying a domain", HEAVY, () => {
  it("verifies when the TXT record holds the value, asking the DoH JSON API for _edge-auth.<domain>", async () => {
    const org = await createOrg();
    const row = await added(org, uniqueDomain());
    resolver.txt.set(row.verification.name, ["v=spf1 -all", row.verification.value]);
    const response = await verifyDomainCall(org, row.id);
    expect(response.status).toBe(200);
    expect(await readJson(response)).toMatchObject({ verified: true, verified_at: expect.any(String) });
    const asked = new URL(resolver.requests[0]?.url ?? "");
    expect(`${asked.origin}${asked.pathname}`).toBe(DOH_URL);
    expect(asked.searchParams.get("name")).toBe(`_edge-auth.${row.domain}`);
    expect(asked.searchParams.get("type")).toBe("TXT");
    expect(resolver.requests[0]?.accept).toBe("application/dns-json");
    expect((await domainRows(row.domain))[0]?.verified_at).toEqual(expect.any(Number));
  });

  it("refuses an absent record and a wrong value (400 domain_verification_failed), leaving it unverified", async () => {
    const org = await createOrg();
    const row = await added(org, uniqueDomain());
    await expectProblem(await verifyDomainCall(org, row.id), 400, "domain_verification_failed");
    resolver.txt.set(row.verification.name, [`${row.verification.value}x`, "edge-auth-verify=someone-else"]);
    await expectProblem(await verifyDomainCall(org, row.id), 400, "domain_verification_failed");
    expect((await domainRows(row.domain))[0]?.verified_at).toBeNull();
  });

  it("answers 503 service_unavailable with nothing changed when the resolver fails, errs or hangs", async () => {
    const org = await createOrg();
    const row = await added(org, uniqueDomain());
    resolver.txt.set(row.verification.name, [row.verification.value]);
    for (const mode of ["error", "servfail", "hang"] as const) {
      resolver.mode = mode;
      const started = Date.now();
      const response = await callWith(quickDns, "POST", `/v1/orgs/${org.id}/domains/${row.id}/verify`, {
        token: org.owner.tokens.access_token,
      });
      await expectProblem(response, 503, "service_unavailable");
      expect(Date.now() - started).toBeLessThan(2000);
    }
    expect((await domainRows(row.domain))[0]?.verified_at).toBeNull();
  });

  it("one organization holds a domain verified: 8 parallel verifies by 4 organizations make one", async () => {
    const domain = uniqueDomain();
    const orgs = await Promise.all([createOrg(), createOrg(), createOrg(), createOrg()]);
    const rows = await Promise.all(orgs.map((org) => added(org, domain)));
    for (const row of rows)
      resolver.txt.set(row.verification.name, [
        ...(resolver.txt.get(row.verification.name) ?? []),
        row.verification.value,
      ]);
    const answers = await Promise.all(
      [...orgs, ...orgs].map((org, index) => verifyDomainCall(org, rows[index % orgs.length]?.id ?? "")),
    );
    const statuses = answers.map((response) => response.status);
    const winners = (await domainRows(domain)).filter((state) => state.verified_at !== null);
    expect(winners).toHaveLength(1);
    const winnerIndex = orgs.findIndex((org) => org.id === winners[0]?.organization_id);
    expect(statuses.filter((status) => status === 200)).toHaveLength(2);
    expect(statuses.filter((status) => status === 409)).toHaveLength(6);
    expect(statuses[winnerIndex]).toBe(200);
    // Adding it again elsewhere is refused while it is held.
    const late = await createOrg();
    await expectProblem(await addDomain(late, { domain }), 409, "domain_taken");
  });
});
