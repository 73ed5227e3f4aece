// The pieces domain verification decides with, tested directly: the one spelling of a domain (IDNA,
// look-alikes, URL syntax and IP literals refused), the public mail domain list, TXT record text as
// resolvers answer it, and ORG_DNS_* failing closed.
import { describe, expect, it } from "vitest";
import { txtValue } from "../src/services/org-domain-dns";
import { domainOfEmail, normalizeDomain } from "../src/services/org-domain-names";
import { isPublicMailDomain } from "../src/services/org-public-domains";
import { configWith, refusalOf } from "./support/config";

describe("normalizeDomain", () => {
  it("gives one ASCII spelling: case, trailing dot, Unicode and full-width forms", () => {
    expect(normalizeDomain(" Acme.COM. ")).toBe("acme.com");
    expect(normalizeDomain("bücher.de")).toBe("xn--bcher-kva.de");
    expect(normalizeDomain("BÜCHER.DE")).toBe("xn--bcher-kva.de");
    expect(normalizeDomain("xn--bcher-kva.de")).toBe("xn--bcher-kva.de");
    expect(normalizeDomain("ａｃｍｅ.com")).toBe("acme.com");
    expect(domainOfEmail("Person@Bücher.de")).toBe("xn--bcher-kva.de");
  });

  it("refuses what is no domain one can publish a TXT record under", () => {
    const refused = [
      "",
      "localhost",
      "1.2.3.4",
      "0x7f.1",
      "[::1]",
      "acme.com:443",
      "acme.com/path",
      "user@acme.com",
      "acme.com?x",
      "acme.com#x",
      "ac me.com",
      "-acme.com",
      "acme-.com",
      "acme..com",
      "a%2ecom",
      `${"a".repeat(64)}.com`,
      `${"abcdefghi.".repeat(26)}com`,
    ];
    for (const raw of refused) expect(normalizeDomain(raw), raw).toBeNull();
  });
});

describe("isPublicMailDomain", () => {
  it("covers the listed names, their subdomains and the gmx/yandex families, not look-alike companies", () => {
    for (const domain of [
      "gmail.com",
      "outlook.com",
      "proton.me",
      "mail.ru",
      "qq.com",
      "163.com",
      "gmx.de",
      "gmx.co.uk",
      "yandex.ru",
      "yandex.com.tr",
      "eu.mail.gmail.com",
    ]) {
      expect(isPublicMailDomain(domain), domain).toBe(true);
    }
    for (const domain of [
      "acme.com",
      "gmailer.com",
      "notgmail.com",
      "gmx-consulting.com",
      "yandexfan.io",
      "gmx.acme.com",
    ]) {
      expect(isPublicMailDomain(domain), domain).toBe(false);
    }
  });
});

describe("txtValue", () => {
  it("joins quoted character-strings and undoes escapes", () => {
    expect(txtValue('"edge-auth-verify=abc"')).toBe("edge-auth-verify=abc");
    expect(txtValue('"edge-auth-" "verify=abc"')).toBe("edge-auth-verify=abc");
    expect(txtValue('"a\\"b\\092c"')).toBe('a"b\\c');
    expect(txtValue("unquoted")).toBe("unquoted");
  });
});

describe("ORG_DNS_* config", () => {
  it("defaults to Cloudflare's DoH endpoint and 3000 ms, and takes an https resolver", () => {
    expect(configWith({}).orgDomains).toEqual({ resolverUrl: "https://cloudflare-dns.com/dns-query", timeoutMs: 3000 });
    expect(
      configWith({ ORG_DNS_RESOLVER_URL: "https://dns.google/resolve", ORG_DNS_TIMEOUT_MS: "500" }).orgDomains,
    ).toEqual({
      resolverUrl: "https://dns.google/resolve",
      timeoutMs: 500,
    });
  });

  it("refuses to start on a plain-text or malformed resolver, or a deadline out of range, naming no value", () => {
    for (const value of ["http://cloudflare-dns.com/dns-query", "not a url", "https://user:pw@dns.test/q"]) {
      const message = refusalOf({ ORG_DNS_RESOLVER_URL: value });
      expect(message).toContain("ORG_DNS_RESOLVER_URL");
      expect(message).not.toContain(value);
    }
    for (const value of ["50", "20000", "3s"])
      expect(refusalOf({ ORG_DNS_TIMEOUT_MS: value })).toContain("ORG_DNS_TIMEOUT_MS");
  });
});
