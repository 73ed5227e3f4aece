// The one spelling of a domain name an organization claims and an email is matched against: trimmed,
// lower-cased, without a trailing dot, internationalized labels in their ASCII (punycode) form through
// the WHATWG URL parser's IDNA mapping, so "Bücher.DE", "xn--bcher-kva.de" and full-width look-alikes
// are one name. IP literals, single labels and anything with URL syntax in it are not domains.

const URL_SYNTAX = /[\s/\\@:?#%[\]*,;"'<>]/;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;
const MAX_DOMAIN_LENGTH = 253;

/** The normalized ASCII domain, or null when `raw` is not a domain name one can put a TXT record under. */
export function normalizeDomain(raw: string): string | null {
  const trimmed = raw.trim().replace(/\.$/, "");
  if (trimmed.length === 0 || trimmed.length > MAX_DOMAIN_LENGTH || URL_SYNTAX.test(trimmed)) return null;
  let host: string;
  try {
    host = new URL(`https://${trimmed}/`).hostname;
  } catch {
    return null;
  }
  const labels = host.split(".");
  if (host.length > MAX_DOMAIN_LENGTH || labels.length < 2 || !labels.every((label) => LABEL.test(label))) return null;
  // A top-level label is never all digits: that is an IPv4 address (which the parser also rewrites).
  if (/^\d+$/.test(labels.at(-1) ?? "")) return null;
  return host;
}

/** The normalized domain of an email address (already normalized by identifiers.ts), or null. */
export function domainOfEmail(email: string): string | null {
  const at = email.lastIndexOf("@");
  return at < 1 ? null : normalizeDomain(email.slice(at + 1));
}

/** Where the verification record lives: a label of our own under the domain. */
export const verificationRecordName = (domain: string): string => `_edge-auth.${domain}`;
