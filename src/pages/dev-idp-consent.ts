// The dev identity provider's consent page (OAUTH_DEV_PROVIDER, local issuer only): the developer
// picks one of a few addresses or types any other, and the browser goes back to this Worker's
// callback with a code. Server-rendered, every value escaped, no script; the authorize request
// travels in hidden fields and is checked again when the form comes back.

import { escapeHtml } from "../mail/html-escape";
import { renderPage } from "./layout";

/** The authorize request's parameters, as the page hands them back on POST. */
export const AUTHORIZE_FIELDS = [
  "client_id",
  "redirect_uri",
  "response_type",
  "scope",
  "state",
  "nonce",
  "code_challenge",
  "code_challenge_method",
] as const;

function hiddenFields(query: Record<string, string | undefined>): string {
  return AUTHORIZE_FIELDS.filter((name) => query[name] !== undefined)
    .map((name) => `<input type="hidden" name="${name}" value="${escapeHtml(query[name] ?? "")}">`)
    .join("\n");
}

export function renderConsentPage(query: Record<string, string | undefined>, emails: string[]): string {
  const hidden = hiddenFields(query);
  const picks = emails
    .map(
      (email) => `<form method="post" action="/dev/idp/authorize">
${hidden}
<button type="submit" name="email" value="${escapeHtml(email)}">Sign in as ${escapeHtml(email)}</button>
</form>`,
    )
    .join("\n");
  return renderPage(
    "Dev sign-in",
    `<p>The built-in dev identity provider (OAUTH_DEV_PROVIDER). Nothing leaves this machine.</p>
${picks}
<form method="post" action="/dev/idp/authorize">
${hidden}
<label for="email">Or any address</label>
<input id="email" name="email" type="email" required autocomplete="off">
<button type="submit">Sign in</button>
</form>`,
  );
}

export function renderRefusalPage(message: string): string {
  return renderPage("Dev sign-in refused", `<p>${escapeHtml(message)}</p><p>Start again from the app.</p>`);
}

/** The page headers, with form-action widened to where the redirect chain ends (the SPA's origins). */
export function consentHeaders(redirectAllowlist: string[]): Record<string, string> {
  const origins = [...new Set(redirectAllowlist.map((url) => new URL(url).origin))];
  return {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Content-Security-Policy": `default-src 'none'; style-src 'unsafe-inline'; form-action 'self' ${origins.join(" ")}; frame-ancestors 'none'; base-uri 'none'`,
  };
}
