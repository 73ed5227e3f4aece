// Sign-up, login, refresh, verify and logout: parse, call a service, map the result to HTTP.

import { Hono } from "hono";
import { AppError } from "../errors";
import { signUpByInvitation } from "../services/invitation-signup";
import { refreshSession } from "../services/refresh-service";
import { logOut } from "../services/session-service";
import { logInOrStartFlow } from "../services/sign-in-flow-service";
import { signUp } from "../services/signup-service";
import { authenticateCaller, introspectAccessToken } from "../services/token-verification";
import { flowStartedBody } from "./flow-routes";
import { acceptApiKey } from "./http/api-key-auth";
import type { AppEnv } from "./http/app-env";
import { readBody } from "./http/body";
import { clientInfo } from "./http/client";
import { gate } from "./http/rate-limit";
import { requestScope } from "./http/request-scope";
import { clearRefreshCookie, presentedRefreshToken, readBearerToken, tokenResponseBody } from "./http/token-transport";
import { mfaRequiredBody } from "./mfa-routes";
import { LoginBody, LogoutBody, RefreshBody, SignupBody, VerifyBody } from "./schemas";
import { toPublicUser } from "./views";

const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };

export const authRoutes = new Hono<AppEnv>();

authRoutes.post("/v1/signup", gate("sign_up"), async (c) => {
  const { email, password, first_name, last_name, invite_token, ...rest } = await readBody(c, SignupBody);
  const profile = { ...rest, firstName: first_name, lastName: last_name };
  if (invite_token !== undefined) {
    const input = { email, password, profile };
    const joined = await signUpByInvitation(c.get("services"), input, invite_token, clientInfo(c), requestScope(c));
    if (!joined.ok) throw new AppError(joined.error);
    const { user, tokens, organizationId, role } = joined.value;
    const organization = { id: organizationId, role };
    return c.json({ user: toPublicUser(user), organization, ...tokenResponseBody(c, tokens) }, 201, NO_STORE);
  }
  const result = await signUp(c.get("services"), { email, password, profile }, clientInfo(c));
  if (!result.ok) throw new AppError(result.error);
  const outcome = result.value;
  if (outcome.kind === "verification_required") return c.json({ otp_request_id: outcome.requestId }, 201, NO_STORE);
  const body = { user: toPublicUser(outcome.user), ...tokenResponseBody(c, outcome.tokens) };
  return c.json(body, 201, NO_STORE);
});

authRoutes.post("/v1/login", gate("log_in"), async (c) => {
  const input = await readBody(c, LoginBody);
  // Several organizations: a sign-in flow (POST /v1/flows/{id}/org), and no session yet.
  const result = await logInOrStartFlow(c.get("services"), input, clientInfo(c), {}, requestScope(c));
  if (!result.ok) throw new AppError(result.error);
  const outcome = result.value;
  if (outcome.kind === "flow") return c.json(flowStartedBody(outcome), 200, NO_STORE);
  // A second factor is due: a token for POST /v1/login/mfa, and no session or cookie yet.
  if (outcome.kind === "mfa_required") return c.json(mfaRequiredBody(outcome), 200, NO_STORE);
  return c.json(tokenResponseBody(c, outcome.tokens), 200, NO_STORE);
});

authRoutes.post("/v1/token/refresh", gate("refresh_session"), async (c) => {
  const services = c.get("services");
  const body = await readBody(c, RefreshBody, true);
  const presented = presentedRefreshToken(c, services.config, body.refresh_token);
  if (!presented) {
    throw new AppError({ code: "invalid_request", issues: [{ field: "refresh_token", message: "is required" }] });
  }
  const result = await refreshSession(services, presented, requestScope(c));
  if (!result.ok) {
    clearRefreshCookie(c, services.config);
    throw new AppError(result.error);
  }
  return c.json(tokenResponseBody(c, result.value), 200, NO_STORE);
});

// Not rate limited per IP: it guesses no secret (a token's signature cannot be guessed), writes nothing,
// and backends behind one address may call it for every request they serve. An API key is optional;
// one that is sent must hold `verify` (it is then limited per key, RATE_LIMIT_API_KEY).
authRoutes.post("/v1/token/verify", acceptApiKey("verify"), async (c) => {
  const { token } = await readBody(c, VerifyBody);
  const introspection = await introspectAccessToken(c.get("services"), token);
  if (introspection.active) return c.json({ active: true, ...introspection.claims }, 200, NO_STORE);
  if (introspection.rejection === "verifier_unavailable") {
    throw new AppError({ code: "service_unavailable", reason: "revocation list unreadable" });
  }
  return c.json({ active: false }, 200, NO_STORE);
});

authRoutes.post("/v1/logout", gate("end_session"), async (c) => {
  const services = c.get("services");
  const body = await readBody(c, LogoutBody, true);
  const bearer = readBearerToken(c);
  let caller = null;
  if (bearer) {
    const authenticated = await authenticateCaller(services, bearer);
    if (!authenticated.ok) throw new AppError(authenticated.error);
    caller = authenticated.value;
  }
  const refreshToken = presentedRefreshToken(c, services.config, body.refresh_token);
  if (!caller && !refreshToken) throw new AppError({ code: "invalid_token", reason: "logout without any token" });
  await logOut(services, { caller, refreshToken }, requestScope(c));
  clearRefreshCookie(c, services.config);
  return c.body(null, 204);
});
