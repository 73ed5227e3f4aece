// Which ISSUER counts as "this machine": the one rule deciding where dev-only switches (DEV_OUTBOX,
// MAIL_PROVIDER=outbox, SMS_PROVIDER=outbox) may be on, so no switch is looser than another.

/** Loopback, by name or address. `new URL` lower-cases the host and keeps IPv6 in brackets. */
const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/**
 * Names that can never be a real domain, so an issuer under them cannot be a deployment others
 * reach: `localhost` and its subdomains resolve to loopback (RFC 6761 §6.3), `test` is reserved for
 * testing (RFC 2606 §2, RFC 6761 §6.2; the test suite's issuer is `https://auth.test`). A name that
 * only contains one of them (`localhost.example.com`, `test.example.com`) is someone's domain, and a
 * private address (`10.0.0.1`) may be reachable by a whole network: neither is local.
 */
const RESERVED_TOP_LEVEL = ["localhost", "test"];

/** Names what counts as local, for error messages. */
export const LOCAL_ISSUER_HOSTS = "localhost, 127.0.0.1, [::1], *.localhost or *.test";

export function isLocalIssuer(issuer: string | null | undefined): boolean {
  if (!issuer) return false;
  let hostname: string;
  try {
    hostname = new URL(issuer).hostname.toLowerCase();
  } catch {
    return false;
  }
  if (LOOPBACK_HOSTS.has(hostname)) return true;
  return RESERVED_TOP_LEVEL.some((name) => hostname === name || hostname.endsWith(`.${name}`));
}
