// Public, unauthenticated documents: JWKS, OpenID discovery, the OpenAPI document, docs and health.

import { Hono } from "hono";
import type { Config } from "../config";
import { dialectDocument } from "../dialects/openapi";
import { DOCS_PAGE, DOCS_PAGE_HEADERS } from "../pages/docs-page";
import type { AppEnv } from "./http/app-env";
import { buildOpenApiDocument } from "./openapi";

export const discoveryRoutes = new Hono<AppEnv>();

discoveryRoutes.get("/health", (c) => c.json({ status: "ok" }, 200, { "Cache-Control": "no-store" }));

discoveryRoutes.get("/.well-known/jwks.json", (c) => {
  const { publicJwks } = c.get("services").keys;
  // Verifiers may cache for five minutes; a rotated-in key is published before it signs.
  return c.json({ keys: publicJwks }, 200, { "Cache-Control": "public, max-age=300, must-revalidate" });
});

discoveryRoutes.get("/.well-known/openid-configuration", (c) => {
  const { config, keys } = c.get("services");
  return c.json(
    {
      issuer: config.issuer,
      jwks_uri: `${config.issuer}/.well-known/jwks.json`,
      token_endpoint: `${config.issuer}/v1/token/refresh`,
      introspection_endpoint: `${config.issuer}/v1/token/verify`,
      userinfo_endpoint: `${config.issuer}/v1/me`,
      revocation_endpoint: `${config.issuer}/v1/logout`,
      id_token_signing_alg_values_supported: keys.algorithms,
      token_endpoint_auth_methods_supported: ["none"],
      grant_types_supported: ["password", "refresh_token"],
      response_types_supported: ["token"],
      subject_types_supported: ["public"],
      claims_supported: ["iss", "aud", "sub", "sid", "jti", "iat", "exp", "email", "email_verified", "amr"],
    },
    200,
    { "Cache-Control": "public, max-age=300" },
  );
});

/** Built once per Config (one per isolate): the native API and the mounted dialects. */
const openApiByConfig = new WeakMap<Config, unknown>();

discoveryRoutes.get("/openapi.json", (c) => {
  const { config } = c.get("services");
  let document = openApiByConfig.get(config);
  if (!document) {
    document = buildOpenApiDocument(config.issuer, dialectDocument(config.dialects));
    openApiByConfig.set(config, document);
  }
  return c.json(document);
});

discoveryRoutes.get("/docs", (c) => c.html(DOCS_PAGE, 200, DOCS_PAGE_HEADERS));
