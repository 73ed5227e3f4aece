// Where the refresh token travels: in the JSON body (default) or, in cookie mode, only in an
// HttpOnly; Secure; SameSite=Strict cookie with the __Host- prefix (bound to our host, path /).

import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Config } from "../../config";
import type { IssuedTokens } from "../../services/token-issuer";
import type { AppEnv } from "./app-env";
import { requireAllowedOrigin } from "./cross-origin";

/** Hono adds the `__Host-` prefix: the cookie on the wire is `__Host-edge-auth-refresh`. */
const REFRESH_COOKIE_KEY = "edge-auth-refresh";

/** RFC 6749 §5.1 field names; the refresh token is omitted from the body in cookie mode. */
export function tokenResponseBody(c: Context<AppEnv>, tokens: IssuedTokens) {
  const config = c.get("services").config;
  const body = { access_token: tokens.accessToken, token_type: "Bearer" as const, expires_in: tokens.expiresIn };
  if (config.refreshTokenTransport === "body") return { ...body, refresh_token: tokens.refreshToken };
  setCookie(c, REFRESH_COOKIE_KEY, tokens.refreshToken, {
    path: "/",
    secure: true,
    httpOnly: true,
    sameSite: "Strict",
    maxAge: config.sessionAbsoluteTtlSeconds,
    prefix: "host",
  });
  return body;
}

/** The refresh token of this request: from the body in body mode, from the cookie in cookie mode. */
export function presentedRefreshToken(c: Context<AppEnv>, config: Config, fromBody: string | undefined): string | null {
  if (config.refreshTokenTransport === "body") return fromBody ?? null;
  const cookie = getCookie(c, REFRESH_COOKIE_KEY, "host");
  if (cookie === undefined) return null;
  requireAllowedOrigin(c.req.header("Origin"), config.corsOrigins);
  return cookie;
}

export function clearRefreshCookie(c: Context<AppEnv>, config: Config): void {
  if (config.refreshTokenTransport === "cookie") {
    deleteCookie(c, REFRESH_COOKIE_KEY, { path: "/", secure: true, prefix: "host" });
  }
}
