// Where tokens travel, in one place. Access tokens arrive as `Authorization: Bearer` (RFC 6750 §2.1;
// never in a query string, which ends up in logs) or, for a surface that names one, in a header of
// its own. Refresh tokens arrive in the body (default), only in an HttpOnly; Secure; SameSite=Strict
// `__Host-` cookie (cookie mode), or for a surface that says so in a named header or as a Bearer
// token. Token responses leave the same way.

import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Config } from "../../config";
import type { IssuedTokens } from "../../services/token-issuer";
import type { AppEnv } from "./app-env";
import { requireAllowedOrigin } from "./cross-origin";

/** Hono adds the `__Host-` prefix: the cookie on the wire is `__Host-edge-auth-refresh`. */
const REFRESH_COOKIE_KEY = "edge-auth-refresh";
/** RFC 6750 §2.1 b64token, with the scheme in any case and optional spaces around. */
const BEARER = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i;
/** Longer than any token we issue (a JWT of ours is under 1 KB); refused before any work. */
const MAX_HEADER_TOKEN_LENGTH = 4096;

/** Where a surface reads tokens from besides the native defaults. */
export interface TokenSources {
  /** A header that carries the access token itself (e.g. `X-NAP-Session-Token`), instead of Bearer. */
  accessTokenHeader?: string;
  /** A header that carries the refresh token itself (e.g. `X-NAP-Refresh-Token`). */
  refreshTokenHeader?: string;
  /** The refresh token as `Authorization: Bearer` (clients that send it where an access token goes). */
  refreshTokenAsBearer?: boolean;
}

export function readBearerToken(c: Context): string | null {
  const header = c.req.header("Authorization");
  if (!header || header.length > MAX_HEADER_TOKEN_LENGTH) return null;
  return BEARER.exec(header)?.[1] ?? null;
}

function readTokenHeader(c: Context, name: string): string | null {
  const value = c.req.header(name)?.trim();
  return value && value.length <= MAX_HEADER_TOKEN_LENGTH ? value : null;
}

/** The access token of this request: Bearer by default, or the surface's own header. */
export function readAccessToken(c: Context, sources: TokenSources = {}): string | null {
  return sources.accessTokenHeader ? readTokenHeader(c, sources.accessTokenHeader) : readBearerToken(c);
}

/**
 * The refresh token of this request. Natively: from the body in body mode, from the cookie in
 * cookie mode (with the Origin check cookies need). A surface may add a header or Bearer.
 */
export function presentedRefreshToken(
  c: Context<AppEnv>,
  config: Config,
  fromBody: string | undefined,
  sources: TokenSources = {},
): string | null {
  if (sources.refreshTokenHeader) {
    const fromHeader = readTokenHeader(c, sources.refreshTokenHeader);
    if (fromHeader) return fromHeader;
  }
  if (sources.refreshTokenAsBearer) {
    const fromBearer = readBearerToken(c);
    if (fromBearer) return fromBearer;
  }
  if (config.refreshTokenTransport === "body") return fromBody ?? null;
  const cookie = getCookie(c, REFRESH_COOKIE_KEY, "host");
  if (cookie === undefined) return null;
  requireAllowedOrigin(c.req.header("Origin"), config.corsOrigins);
  return cookie;
}

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

export function clearRefreshCookie(c: Context<AppEnv>, config: Config): void {
  if (config.refreshTokenTransport === "cookie") {
    deleteCookie(c, REFRESH_COOKIE_KEY, { path: "/", secure: true, prefix: "host" });
  }
}
