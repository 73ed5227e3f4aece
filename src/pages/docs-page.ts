// The /docs page: Swagger UI from this Worker's own static assets (see scripts/docs-assets.mjs), never a CDN.

export const DOCS_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>edge-auth API reference</title>
<link rel="stylesheet" href="/docs/swagger-ui.css">
</head>
<body>
<div id="swagger-ui" data-openapi-url="/openapi.json"></div>
<script src="/docs/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>`;

/**
 * Only same-origin scripts, styles and fetches: the page runs on the auth origin, so a compromised or
 * swapped third-party file would run beside users' tokens. No inline script (init.js is a file).
 */
export const DOCS_PAGE_HEADERS = {
  "Content-Security-Policy": [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    // The bundle's CSS draws its icons as data: SVGs.
    "img-src 'self' data:",
    // /openapi.json, and "Try it out" against this origin.
    "connect-src 'self'",
    "font-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; "),
};
