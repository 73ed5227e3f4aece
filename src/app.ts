// The HTTP application: composition, cross-origin rules, routes (native, then the configured
// dialects), and the one error handler, which answers in the shape of the surface a path belongs to.

import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { ConfigError, type DialectMount } from "./config";
import { getServiceContext } from "./context";
import { dialectRequestHeaders, mountDialects } from "./dialects";
import { AppError, type Failure } from "./errors";
import { invitationPage } from "./pages/invitation-page";
import { linkPages } from "./pages/link-pages";
import { accountRoutes } from "./routes/account-routes";
import { adminExportRoutes } from "./routes/admin-export-routes";
import { adminImportRoutes } from "./routes/admin-import-routes";
import { adminRoutes } from "./routes/admin-routes";
import { apiKeyRoutes } from "./routes/api-key-routes";
import { authRoutes } from "./routes/auth-routes";
import { devOutboxRoutes } from "./routes/dev-outbox-routes";
import { discoveryRoutes } from "./routes/discovery-routes";
import { flowRoutes } from "./routes/flow-routes";
import type { AppEnv } from "./routes/http/app-env";
import { corsFromAllowlist, guardCrossSite } from "./routes/http/cross-origin";
import { problemResponse } from "./routes/http/problem";
import { securityHeaders } from "./routes/http/security-headers";
import { mailFlowRoutes } from "./routes/mail-flow-routes";
import { mfaRoutes } from "./routes/mfa-routes";
import { oauthIdentityRoutes } from "./routes/oauth-identity-routes";
import { oauthRoutes } from "./routes/oauth-routes";
import { oauthTokenRoutes } from "./routes/oauth-token-routes";
import { orgApiKeyRoutes } from "./routes/org-api-key-routes";
import { orgDomainRoutes } from "./routes/org-domain-routes";
import { orgInvitationRoutes } from "./routes/org-invitation-routes";
import { orgMemberRoutes } from "./routes/org-member-routes";
import { orgRoutes } from "./routes/org-routes";
import { phoneRoutes } from "./routes/phone-routes";
import { securityEventRoutes } from "./routes/security-event-routes";
import { smsMfaRoutes } from "./routes/sms-mfa-routes";
import { classifyUnexpectedError } from "./unexpected-error";

/** Path patterns and the methods each answers, for 405 with an Allow header. */
const ALLOWED_METHODS: [RegExp, string][] = [
  [/^\/v1\/(signup|login|logout|token\/refresh|token\/verify)$/, "POST"],
  [/^\/v1\/(login\/mfa|mfa\/totp\/confirm|mfa\/recovery-codes)$/, "POST"],
  [/^\/v1\/mfa\/totp$/, "POST, DELETE"],
  [/^\/v1\/(email\/verify|email\/verify\/resend|email\/change|password\/(forgot|reset|change))$/, "POST"],
  [/^\/(verify-email|reset-password)$/, "GET, POST"],
  [/^\/v1\/phone(\/verify)?$/, "POST"],
  [/^\/v1\/login\/mfa\/sms(\/send)?$/, "POST"],
  [/^\/v1\/mfa\/sms$/, "POST, DELETE"],
  [/^\/v1\/me$/, "GET, PATCH, DELETE"],
  [/^\/v1\/me\/events$/, "GET"],
  [/^\/v1\/sessions$/, "GET, DELETE"],
  [/^\/v1\/sessions\/[^/]+$/, "DELETE"],
  [/^\/v1\/keys$/, "GET, POST"],
  [/^\/v1\/keys\/[^/]+$/, "DELETE"],
  [/^\/v1\/(keys\/[^/]+\/roll|oauth\/token)$/, "POST"],
  [/^\/(health|openapi\.json|docs|\.well-known\/(jwks\.json|openid-configuration))$/, "GET"],
  [/^\/v1\/orgs(\/[^/]+\/invitations)?$/, "GET, POST"],
  [/^\/v1\/orgs\/[^/]+$/, "GET, PATCH, DELETE"],
  [/^\/v1\/orgs\/[^/]+\/members$/, "GET"],
  [/^\/v1\/orgs\/[^/]+\/members\/[^/]+$/, "PATCH, DELETE"],
  [/^\/v1\/orgs\/[^/]+\/invitations\/[^/]+$/, "DELETE"],
  [/^\/v1\/(orgs\/[^/]+\/(leave|invitations\/[^/]+\/resend)|invitations\/accept|session\/org)$/, "POST"],
  [/^\/v1\/oauth\/[^/]+\/authorize$/, "GET"],
  [/^\/v1\/oauth\/[^/]+\/callback$/, "GET, POST"],
  [/^\/v1\/oauth\/[^/]+\/token$/, "POST"],
  [/^\/v1\/me\/identities$/, "GET"],
  [/^\/v1\/me\/identities\/[^/]+$/, "POST, DELETE"],
  [/^\/v1\/admin\/users$/, "GET"],
  [/^\/v1\/admin\/users\/export$/, "GET"],
  [/^\/v1\/admin\/users\/import$/, "POST"],
  [/^\/v1\/admin\/users\/[^/]+$/, "GET, DELETE"],
  [/^\/v1\/admin\/users\/[^/]+\/events$/, "GET"],
  [/^\/v1\/admin\/users\/[^/]+\/(disable|enable|sessions\/revoke|verify-email|mfa\/reset)$/, "POST"],
  [/^\/v1\/admin\/users\/[^/]+\/orgs\/[^/]+\/role$/, "POST"],
  [/^\/v1\/flows\/[^/]+$/, "GET"],
  [/^\/v1\/flows\/[^/]+\/org$/, "POST"],
  [/^\/v1\/orgs\/[^/]+\/domains$/, "GET, POST"],
  [/^\/v1\/orgs\/[^/]+\/domains\/[^/]+$/, "PATCH, DELETE"],
  [/^\/v1\/orgs\/[^/]+\/domains\/[^/]+\/verify$/, "POST"],
  [/^\/v1\/orgs\/[^/]+\/api-keys$/, "GET, POST"],
  [/^\/v1\/orgs\/[^/]+\/api-keys\/[^/]+$/, "DELETE"],
  [/^\/v1\/orgs\/[^/]+\/api-keys\/[^/]+\/roll$/, "POST"],
  [/^\/v1\/me\/org-suggestions$/, "GET"],
  [/^\/accept-invitation$/, "GET, POST"],
];

/** What a thrown error may tell the caller; the log keeps what it must not. */
function failureOf(error: Error, path: string): Failure {
  if (error instanceof AppError) return error.failure;
  if (error instanceof HTTPException && error.status < 500) return { code: "invalid_request", reason: error.message };
  if (error instanceof ConfigError) {
    console.error(JSON.stringify({ event: "config_error", message: error.message }));
    return { code: "internal_error" };
  }
  // A storage outage is not the client's fault and may pass: say so, without details.
  const { code, reason } = classifyUnexpectedError(error);
  console.error(JSON.stringify({ event: "unhandled_error", message: reason, path }));
  return { code };
}

/**
 * The app with `dialects` mounted beside the native API (src/worker.ts passes the configured ones;
 * none by default, as in production), and `extraRoutes` (the dev build's, src/dev.ts).
 */
export function createApp(dialects: readonly DialectMount[] = [], extraRoutes: readonly Hono<AppEnv>[] = []) {
  const app = new Hono<AppEnv>();

  // First, so it wraps everything after it: its headers land on error and not-found answers too.
  app.use(securityHeaders);
  app.use(async (c, next) => {
    c.set("services", await getServiceContext(c.env));
    await next();
  });
  app.use(corsFromAllowlist(dialectRequestHeaders(dialects)), guardCrossSite);

  app.route("/", discoveryRoutes);
  app.route("/", authRoutes);
  app.route("/", accountRoutes);
  app.route("/", mailFlowRoutes);
  app.route("/", mfaRoutes);
  app.route("/", phoneRoutes);
  app.route("/", smsMfaRoutes);
  app.route("/", apiKeyRoutes);
  app.route("/", oauthTokenRoutes);
  app.route("/", orgRoutes);
  app.route("/", orgMemberRoutes);
  app.route("/", orgInvitationRoutes);
  app.route("/", orgDomainRoutes);
  app.route("/", orgApiKeyRoutes);
  app.route("/", invitationPage);
  app.route("/", oauthRoutes);
  app.route("/", oauthIdentityRoutes);
  app.route("/", linkPages);
  app.route("/", devOutboxRoutes);
  for (const routes of extraRoutes) app.route("/", routes);
  // Before adminRoutes: its /v1/admin/users/:id would read "export" as an id.
  app.route("/", adminExportRoutes);
  app.route("/", adminImportRoutes);
  app.route("/", adminRoutes);
  app.route("/", securityEventRoutes);
  app.route("/", flowRoutes);
  const mounted = mountDialects(app, dialects);

  app.notFound((c) => {
    const owner = mounted.ownerOf(c.req.path);
    if (owner?.allow) return owner.dialect.failureResponse(c, { code: "method_not_allowed" }, { Allow: owner.allow });
    if (owner) return owner.dialect.failureResponse(c, { code: "not_found" });
    const allowed = ALLOWED_METHODS.find(([pattern]) => pattern.test(c.req.path))?.[1];
    if (allowed) return problemResponse(c, { code: "method_not_allowed" }, { Allow: allowed });
    return problemResponse(c, { code: "not_found" });
  });

  app.onError((error, c) => {
    const respond = mounted.ownerOf(c.req.path)?.dialect.failureResponse ?? problemResponse;
    return respond(c, failureOf(error, c.req.path));
  });

  return app;
}
