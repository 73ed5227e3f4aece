// The per-IP rate-limit key: every spelling of one address is one key, an IPv6 client is keyed on its
// /64, IPv4 written as IPv6 is the IPv4 client, and anything else is keyed as written; then the same
// through the real per-IP limiter (60 requests a minute per bucket).
import { describe, expect, it } from "vitest";
import { rateLimitKeyOfIp } from "../src/services/ip-address";
import { call } from "./support/http";
import { awaitFreshMinute, expectRateLimited } from "./support/throttle";

const IP_LIMIT = 60;

describe("rateLimitKeyOfIp", () => {
  it("keys an IPv4 address on itself, reading leading zeros as decimal", () => {
    expect(rateLimitKeyOfIp("203.0.113.7")).toBe("v4:203.0.113.7");
    expect(rateLimitKeyOfIp("203.000.113.007")).toBe("v4:203.0.113.7");
    expect(rateLimitKeyOfIp("010.0.0.1")).toBe("v4:10.0.0.1");
    expect(rateLimitKeyOfIp("  203.0.113.7 ")).toBe("v4:203.0.113.7");
    expect(rateLimitKeyOfIp("203.0.113.8")).toBe("v4:203.0.113.8");
  });

  it("keys IPv4-mapped and IPv4-compatible IPv6 spellings as the IPv4 client", () => {
    for (const spelling of [
      "::ffff:203.0.113.7",
      "::FFFF:203.0.113.7",
      "::ffff:cb00:7107",
      "::FFFF:CB00:7107",
      "0:0:0:0:0:ffff:cb00:7107",
      "0000:0000:0000:0000:0000:ffff:203.0.113.7",
      "0::ffff:203.000.113.007",
      "[::ffff:203.0.113.7]",
      "::203.0.113.7",
      "::cb00:7107",
    ]) {
      expect(rateLimitKeyOfIp(spelling), spelling).toBe("v4:203.0.113.7");
    }
  });

  it("keys every spelling of one IPv6 address on its /64 in lower-case hex without leading zeros", () => {
    for (const spelling of [
      "2001:db8:a:b0::1",
      "2001:DB8:A:B0::1",
      "2001:0db8:000a:00b0:0000:0000:0000:0001",
      "2001:db8:a:b0:0:0:0:1",
      "2001:db8:a:b0:0::1",
      "[2001:db8:a:b0::1]",
      "2001:db8:a:b0::1%eth0",
      "[2001:db8:a:b0::1%25en0]",
    ]) {
      expect(rateLimitKeyOfIp(spelling), spelling).toBe("v6:2001:db8:a:b0::/64");
    }
  });

  it("places the '::' wherever it is written, inside or outside the /64", () => {
    expect(rateLimitKeyOfIp("2001:db8::1")).toBe("v6:2001:db8:0:0::/64");
    expect(rateLimitKeyOfIp("2001:db8:0:0:1::")).toBe("v6:2001:db8:0:0::/64");
    expect(rateLimitKeyOfIp("2001::1:0:0:0:1")).toBe("v6:2001:0:0:1::/64");
    expect(rateLimitKeyOfIp("2001:0:0:1::1")).toBe("v6:2001:0:0:1::/64");
    expect(rateLimitKeyOfIp("::2001:db8:1:2:3")).toBe("v6:0:0:0:2001::/64");
    expect(rateLimitKeyOfIp("fe80::1")).toBe("v6:fe80:0:0:0::/64");
  });

  it("gives two addresses in one /64 one key, and addresses in different /64s different keys", () => {
    const inOne = ["2001:db8:a:b0::1", "2001:db8:a:b0:ffff:ffff:ffff:ffff", "2001:db8:a:b0:1234:5678:9abc:def0"];
    expect(new Set(inOne.map(rateLimitKeyOfIp))).toEqual(new Set(["v6:2001:db8:a:b0::/64"]));

    const neighbours = ["2001:db8:a:b0::1", "2001:db8:a:b1::1", "2001:db8:a:1b0::1", "2001:db8:b:b0::1"];
    expect(new Set(neighbours.map(rateLimitKeyOfIp)).size).toBe(neighbours.length);
  });

  it("keys loopback and unspecified IPv6 as IPv6, not as IPv4 0.0.0.x", () => {
    expect(rateLimitKeyOfIp("::1")).toBe("v6:0:0:0:0::/64");
    expect(rateLimitKeyOfIp("::")).toBe("v6:0:0:0:0::/64");
  });

  it("keys what is neither address as its trimmed lower-case text, without throwing", () => {
    for (const invalid of [
      "1::2::3",
      "1:2:3:4:5:6:7:8:9",
      "1:2:3:4:5:6:7",
      "::1:2:3:4:5:6:7:8",
      "12345::",
      "2001:db8::g",
      ":1:2:3:4:5:6:7",
      "1:2:3:4:5:6:7:",
      ":::",
      "1.2.3.256",
      "1.2.3",
      "1.2.3.4.5",
      "0001.2.3.4",
      "::ffff:1.2.3.256",
      "1:2:3:4:5:6:7:1.2.3.4",
      "1.2.3.4::",
      "",
      "unknown",
    ]) {
      expect(rateLimitKeyOfIp(invalid), invalid).toBe(`raw:${invalid}`);
    }
    expect(rateLimitKeyOfIp("  Not-An-IP ")).toBe("raw:not-an-ip");
    expect(rateLimitKeyOfIp("1::2::3")).not.toBe(rateLimitKeyOfIp("1::2::4"));
  });
});

/** Sends one POST /v1/login with an empty body (400 when admitted) per address, in parallel. */
async function burst(ips: string[]): Promise<number[]> {
  const responses = await Promise.all(ips.map((ip) => call("POST", "/v1/login", { ip, json: {} })));
  return responses.map((response) => response.status);
}

const randomGroup = () => crypto.getRandomValues(new Uint16Array(1))[0]?.toString(16) ?? "0";

describe("the per-IP limit by rate-limit key", { timeout: 60_000 }, () => {
  it("counts every address of one /64 in one bucket, and leaves a neighbouring /64 alone", async () => {
    await awaitFreshMinute();
    // A random /64 of the documentation prefix (other suites use random ones there too).
    const [g2, g3] = [randomGroup(), randomGroup()];
    const prefix = `2001:db8:${g2}:${g3}`;
    const ips = Array.from({ length: IP_LIMIT }, (_, index) => `${prefix}:${(index + 1).toString(16)}::1`);
    expect(await burst(ips)).toEqual(Array(IP_LIMIT).fill(400));

    await expectRateLimited(await call("POST", "/v1/login", { ip: `${prefix}:ffff::2`, json: {} }));
    const neighbour = `2001:db8:${g2}:${((Number.parseInt(g3, 16) + 1) % 0x10000).toString(16)}::1`;
    const elsewhere = await call("POST", "/v1/login", { ip: neighbour, json: {} });
    expect(elsewhere.status).toBe(400);
  });

  it("counts an IPv4 client in one bucket whether written dotted, IPv4-mapped or in hex", async () => {
    await awaitFreshMinute();
    // 203.0.113.128–254: other suites pin a few lower addresses of this documentation block.
    const octet = 128 + ((crypto.getRandomValues(new Uint8Array(1))[0] ?? 0) % 127);
    const spellings = [
      `203.0.113.${octet}`,
      `::ffff:203.0.113.${octet}`,
      `::ffff:cb00:71${octet.toString(16).padStart(2, "0")}`,
      `::FFFF:CB00:71${octet.toString(16).toUpperCase().padStart(2, "0")}`,
    ];
    const ips = Array.from({ length: IP_LIMIT }, (_, index) => spellings[index % spellings.length] ?? "");
    expect(await burst(ips)).toEqual(Array(IP_LIMIT).fill(400));

    for (const ip of spellings) await expectRateLimited(await call("POST", "/v1/login", { ip, json: {} }));
    const otherClient = `203.0.113.${octet === 254 ? 128 : octet + 1}`;
    expect((await call("POST", "/v1/login", { ip: otherClient, json: {} })).status).toBe(400);
  });
});
