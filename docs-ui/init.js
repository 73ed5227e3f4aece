// Starts Swagger UI on /docs. A file served as a static asset, not inline script, so the page's CSP
// can stay `script-src 'self'`.
const root = document.getElementById("swagger-ui");

window.ui = SwaggerUIBundle({
  // The page names the document (same origin: `connect-src 'self'` allows it, and it works offline).
  url: root.dataset.openapiUrl,
  domNode: root,
  deepLinking: true,
  // The default would send our document to validator.swagger.io.
  validatorUrl: null,
  presets: [SwaggerUIBundle.presets.apis],
  // BaseLayout has no top bar with a URL box, so the page only ever shows our own document.
  layout: "BaseLayout",
});
