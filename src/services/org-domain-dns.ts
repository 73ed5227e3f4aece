// The TXT records of a name, read over DNS-over-HTTPS (Workers have no resolver): the JSON API of
// Cloudflare's resolver by default (ORG_DNS_RESOLVER_URL), with a deadline. "No such name" and "no TXT
// record" are answers (an empty list); a resolver that fails, times out or answers nonsense is an
// outage, reported as such so the caller changes nothing.

import { requestProviderJson } from "../outbound/provider-request";
import type { ServiceContext } from "./context";

export type TxtLookup = { ok: true; values: string[] } | { ok: false };

const TXT_TYPE = 16;
const NOERROR = 0;
const NXDOMAIN = 3;

/** One TXT record's text: its quoted character-strings joined (RFC 7208 §3.3), quotes and escapes undone. */
export function txtValue(data: string): string {
  const strings = [...data.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((match) => match[1] ?? "");
  const joined = strings.length > 0 ? strings.join("") : data;
  return joined.replace(/\\(\d{3}|.)/g, (_, escaped: string) =>
    /^\d{3}$/.test(escaped) ? String.fromCharCode(Number(escaped)) : escaped,
  );
}

function readAnswer(body: unknown): TxtLookup {
  if (typeof body !== "object" || body === null) return { ok: false };
  const { Status, Answer } = body as { Status?: unknown; Answer?: unknown };
  if (Status === NXDOMAIN) return { ok: true, values: [] };
  if (Status !== NOERROR) return { ok: false };
  if (Answer === undefined) return { ok: true, values: [] };
  if (!Array.isArray(Answer)) return { ok: false };
  const values = Answer.flatMap((record: unknown) => {
    if (typeof record !== "object" || record === null) return [];
    const { type, data } = record as { type?: unknown; data?: unknown };
    return type === TXT_TYPE && typeof data === "string" ? [txtValue(data)] : [];
  });
  return { ok: true, values };
}

export async function lookupTxt(context: ServiceContext, name: string): Promise<TxtLookup> {
  const { resolverUrl, timeoutMs } = context.config.orgDomains;
  const url = new URL(resolverUrl);
  url.searchParams.set("name", name);
  url.searchParams.set("type", "TXT");
  const answer = await requestProviderJson({
    provider: "doh",
    kind: "txt",
    url: url.toString(),
    init: { method: "GET", headers: { accept: "application/dns-json" } },
    // Looked up at each call, so a test's interception of outbound fetch applies.
    fetch: (input, init) => fetch(input, init),
    timeoutMs,
  });
  return answer.ok ? readAnswer(answer.body) : { ok: false };
}
