// An example Worker that trusts edge-auth through a service binding: one RPC call checks a bearer
// token (no HTTP hop, no JWKS download), and the caller's profile and session are one call away.

// In your own project, point this at your edge-auth checkout (or copy src/rpc/auth-service.ts's types).
import type { AccessTokenClaims, AuthService, ServiceFailure, TokenRejection } from "../../../src/rpc/auth-service";

export interface Env {
  /** wrangler.toml: `[[services]] binding = "AUTH", service = "edge-auth", entrypoint = "AuthService"` */
  AUTH: Service<AuthService>;
}

type Authenticated = { ok: true; claims: AccessTokenClaims } | { ok: false; response: Response };

/** RFC 6750 §2.1: `Authorization: Bearer <token>`, nothing else. */
function readBearerToken(request: Request): string | null {
  const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/.exec(request.headers.get("Authorization") ?? "");
  return match?.[1] ?? null;
}

/** RFC 6750 §3: no credentials gets a bare challenge; a refused token names `invalid_token`. */
function unauthorized(code: string, tokenPresented: boolean): Response {
  const challenge = tokenPresented ? 'Bearer realm="api", error="invalid_token"' : 'Bearer realm="api"';
  return Response.json({ code }, { status: 401, headers: { "WWW-Authenticate": challenge } });
}

/**
 * edge-auth could not answer: its storage or denylist failed (503, retry), or it is misconfigured
 * (500). An outage to report as ours, never as the caller's bad token or a missing user.
 */
function outage(code: TokenRejection | ServiceFailure | "user_not_found" | "session_not_found"): Response | null {
  switch (code) {
    case "service_unavailable":
    case "verifier_unavailable":
      return Response.json({ code }, { status: 503 });
    case "internal_error":
      return Response.json({ code }, { status: 500 });
    default:
      return null;
  }
}

async function authenticate(request: Request, env: Env): Promise<Authenticated> {
  const token = readBearerToken(request);
  if (token === null) return { ok: false, response: unauthorized("token_missing", false) };
  const result = await env.AUTH.verifyToken(token);
  if (result.valid) return { ok: true, claims: result.claims };
  return { ok: false, response: outage(result.code) ?? unauthorized(result.code, true) };
}

export default {
  async fetch(request, env) {
    const { pathname } = new URL(request.url);
    const route = `${request.method} ${pathname}`;
    if (!["GET /claims", "GET /profile", "POST /logout"].includes(route)) {
      return Response.json({ code: "not_found" }, { status: 404 });
    }
    const caller = await authenticate(request, env);
    if (!caller.ok) return caller.response;

    if (route === "GET /claims") return Response.json(caller.claims);
    if (route === "GET /profile") {
      const result = await env.AUTH.getUser(caller.claims.sub);
      if (result.found) return Response.json(result.user);
      return outage(result.code) ?? Response.json({ code: result.code }, { status: 404 });
    }
    // POST /logout: ends the caller's session; refresh is refused at once, the access token within ~60 s.
    const result = await env.AUTH.revokeSession(caller.claims.sid);
    if (result.revoked) return new Response(null, { status: 204 });
    return outage(result.code) ?? Response.json({ code: result.code }, { status: 404 });
  },
} satisfies ExportedHandler<Env>;
