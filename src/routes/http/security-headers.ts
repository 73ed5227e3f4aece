// Headers on every HTTP answer: no MIME sniffing, no referrer, and no framing of any HTML page.
// Set after the handler has run, so problems from app.onError and app.notFound get them too.

import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "./app-env";

/** For an HTML page that brought no policy: it may load nothing, post nowhere and be framed by no one. */
const FALLBACK_PAGE_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const FRAME_ANCESTORS = /(?:^|;)\s*frame-ancestors\s/i;

export const securityHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  const headers = c.res.headers;
  headers.set("X-Content-Type-Options", "nosniff");
  // A route may choose its own (the link pages already say no-referrer); the default sends none.
  if (!headers.has("Referrer-Policy")) headers.set("Referrer-Policy", "no-referrer");
  if (!/^text\/html/i.test(headers.get("Content-Type") ?? "")) return;
  // A page keeps the policy it brought (it knows what it loads); only framing is decided here for all.
  const csp = headers.get("Content-Security-Policy");
  if (!csp) headers.set("Content-Security-Policy", FALLBACK_PAGE_CSP);
  else if (!FRAME_ANCESTORS.test(csp)) headers.set("Content-Security-Policy", `${csp}; frame-ancestors 'none'`);
  // For browsers without CSP level 2.
  if (!headers.has("X-Frame-Options")) headers.set("X-Frame-Options", "DENY");
};
