// The key a client address is rate-limited under. One IPv6 subscriber usually holds a whole /64
// (RFC 6177 recommends /48 to /64 per site), so keying on the full address would hand each client
// 2^64 buckets: IPv6 is keyed on its /64. Every spelling of one address (case, leading zeros, "::",
// IPv4-mapped and -compatible forms) yields the same key.

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

function parseIpv4(text: string): number[] | null {
  const match = IPV4.exec(text);
  if (!match) return null;
  // Leading zeros are read as decimal ("010" is 10): one spelling of one address, one key.
  const octets = match.slice(1).map(Number);
  return octets.every((octet) => octet <= 255) ? octets : null;
}

/** The eight 16-bit groups of an IPv6 address, or null when it is not one. */
function parseIpv6(text: string): number[] | null {
  let rest = text.toLowerCase();
  // A zone index ("%eth0") names an interface of the sender, not another address.
  const zone = rest.indexOf("%");
  if (zone >= 0) rest = rest.slice(0, zone);
  let tail: number[] = [];
  if (rest.includes(".")) {
    // A dotted IPv4 address as the last 32 bits (RFC 4291 §2.2, form 3).
    const lastColon = rest.lastIndexOf(":");
    const v4 = lastColon < 0 ? null : parseIpv4(rest.slice(lastColon + 1));
    if (!v4) return null;
    const [a = 0, b = 0, c = 0, d = 0] = v4;
    tail = [(a << 8) | b, (c << 8) | d];
    rest = rest.slice(0, lastColon + 1);
    if (!rest.endsWith("::")) rest = rest.slice(0, -1);
  }
  const halves = rest.split("::");
  if (halves.length > 2) return null;
  const split = (part: string | undefined) => (part ? part.split(":") : []);
  const head = split(halves[0]);
  const after = split(halves[1]);
  if (![...head, ...after].every((group) => /^[0-9a-f]{1,4}$/.test(group))) return null;
  const written = head.length + after.length + tail.length;
  if (halves.length === 1 ? written !== 8 : written > 7) return null;
  const hex = (group: string) => Number.parseInt(group, 16);
  return [...head.map(hex), ...Array<number>(8 - written).fill(0), ...after.map(hex), ...tail];
}

/**
 * The rate-limit key of a client address: "v4:a.b.c.d" for IPv4 (also when written as an
 * IPv4-mapped or -compatible IPv6 address), "v6:xxxx:xxxx:xxxx:xxxx::/64" for other IPv6 addresses,
 * and the trimmed, lower-cased text for anything that parses as neither (it is keyed as it is).
 */
export function rateLimitKeyOfIp(raw: string): string {
  const text = raw.trim();
  const v4 = parseIpv4(text);
  if (v4) return `v4:${v4.join(".")}`;
  const groups = parseIpv6(text.replace(/^\[(.*)\]$/, "$1"));
  if (!groups) return `raw:${text.toLowerCase()}`;
  const [g0, g1, g2, g3, g4, g5, g6, g7] = groups as [number, number, number, number, number, number, number, number];
  const upperZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  // ::ffff:a.b.c.d (mapped, RFC 4291 §2.5.5.2) and ::a.b.c.d (compatible, deprecated) are IPv4 clients.
  if (upperZero && (g5 === 0xffff || (g5 === 0 && (g6 !== 0 || g7 > 1)))) {
    return `v4:${g6 >> 8}.${g6 & 255}.${g7 >> 8}.${g7 & 255}`;
  }
  return `v6:${[g0, g1, g2, g3].map((group) => group.toString(16)).join(":")}::/64`;
}
