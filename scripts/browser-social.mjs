// Part of `npm run test:browser` (scripts/browser-test.mjs): social login's whole redirect flow in
// headless Chromium against the dev identity provider (OAUTH_DEV_PROVIDER). A tiny SPA, served here
// on its own loopback port (on OAUTH_REDIRECT_ALLOWLIST and CORS_ORIGINS), makes its PKCE pair,
// sends the browser to /v1/oauth/dev/authorize; the developer picks an address on the consent page;
// the SPA gets `?code=` back and exchanges it at POST /v1/oauth/token with its verifier.
import { createServer } from "node:http";

const SPA_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>SPA</title></head>
<body>
<button id="sign-in">Sign in with dev</button>
<pre id="result"></pre>
<script type="module">
const auth = document.body.dataset.auth;
const b64url = (bytes) => btoa(String.fromCharCode(...bytes)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
const query = new URLSearchParams(location.search);
const result = document.getElementById("result");
document.getElementById("sign-in").addEventListener("click", async () => {
  const verifier = b64url(crypto.getRandomValues(new Uint8Array(32)));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  sessionStorage.setItem("verifier", verifier);
  const start = new URLSearchParams({ redirect_to: location.origin + "/callback", code_challenge: b64url(digest) });
  location.assign(auth + "/v1/oauth/dev/authorize?" + start);
});
if (location.pathname === "/callback") {
  const body = new URLSearchParams({
    grant_type: "authorization_code",
    code: query.get("code") ?? "",
    code_verifier: sessionStorage.getItem("verifier") ?? "",
  });
  const response = await fetch(auth + "/v1/oauth/token", { method: "POST", body });
  result.textContent = JSON.stringify({ status: response.status, body: await response.json() });
  result.dataset.done = "true";
}
</script>
</body></html>`;

/** The SPA on a loopback port: `/` and `/callback` are the same page, told the auth origin. */
export function startSpa(port, authOrigin) {
  const page = SPA_PAGE.replace("<body>", `<body data-auth="${authOrigin}">`);
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://spa").pathname;
    if (path !== "/" && path !== "/callback") {
      response.writeHead(404).end();
      return;
    }
    response.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" }).end(page);
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

/** The wrangler dev variables the flow needs: the dev provider on, the SPA allowed back and by CORS. */
export const socialDevVars = (spaOrigin) => [
  "--var",
  "OAUTH_DEV_PROVIDER:true",
  "--var",
  `OAUTH_REDIRECT_ALLOWLIST:${spaOrigin}/callback`,
  "--var",
  `CORS_ORIGINS:${spaOrigin}`,
];

/** Drives the flow in a fresh browser context; `check` and `assert` are browser-test.mjs's own. */
export async function checkSocialSignIn({ browser, origin, spaOrigin, check, assert }) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const violations = [];
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) violations.push(message.text());
  });
  const email = "dev@example.com";
  await check("social login: SPA → dev consent page → SPA ?code= → tokens with its PKCE verifier", async () => {
    await page.goto(`${spaOrigin}/`, { waitUntil: "load" });
    await page.click("#sign-in");
    await page.waitForURL(`${origin}/dev/idp/authorize?**`, { timeout: 15_000 });
    assert((await page.title()) === "Dev sign-in", `consent page title: ${await page.title()}`);
    await page.click(`button[value="${email}"]`);
    await page.waitForURL(`${spaOrigin}/callback?**`, { timeout: 15_000 });
    const landed = new URL(page.url());
    assert(
      landed.searchParams.get("code"),
      `no code in ${landed.pathname}${landed.search.replace(/code=[^&]+/, "code=…")}`,
    );
    await page.waitForSelector("#result[data-done=true]", { timeout: 15_000 });
    const { status, body } = JSON.parse((await page.textContent("#result")) ?? "{}");
    assert(status === 200, `token exchange: ${status} ${JSON.stringify(body)}`);
    assert(typeof body.access_token === "string" && body.token_type === "Bearer", "no access token in the answer");
    const claims = JSON.parse(Buffer.from(body.access_token.split(".")[1], "base64url").toString());
    assert(claims.email === email, `token for ${claims.email}, not the address picked`);
    assert(violations.length === 0, `CSP: ${violations.join("\n")}`);
  });
  await context.close();
}
