// Attacks on NAP's token routes: forged, expired, revoked and wrong-kind tokens in its X-NAP-*
// headers, rotated refresh tokens replayed, another user's refresh token beside one's own session
// token; every refusal NAP's ErrorResponse and nothing ended by a refused logout. Every NAP route is
// gated per client IP like its /v1 counterpart.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { getServiceContext } from "../src/context";
import { PASSWORD, sessionRowCount } from "./support/accounts";
import { advanceClock, freezeClock } from "./support/clock";
import {
  DoneModel,
  expectModel,
  expectNapError,
  logOutWith,
  napCall,
  napLogIn,
  napSession,
  napVerificationToken,
  RefreshResultModel,
  refreshWith,
} from "./support/dialect-nap";
import { dialectRoutes, expectGatedOrRefused } from "./support/dialects";
import { CURRENT_KEY, nowSeconds, signWith, unsignedToken } from "./support/token-forgery";
import { signUpWithTotp } from "./support/totp";

const config = async () => (await getServiceContext(env)).config;

async function revokedAt(sessionId: string): Promise<number | null | undefined> {
  const row = await env.DB.prepare("SELECT revoked_at FROM sessions WHERE id = ?")
    .bind(sessionId)
    .first<{ revoked_at: number | null }>();
  return row?.revoked_at;
}

/** Claims like ours for `account`, with `overrides`. */
function claimsFor(account: Awaited<ReturnType<typeof napSession>>, overrides: Record<string, unknown> = {}) {
  const now = nowSeconds();
  return {
    iss: "https://auth.test",
    aud: "edge-auth-test",
    sub: account.userId,
    sid: account.tokens.session_id,
    jti: crypto.randomUUID(),
    iat: now,
    exp: now + 600,
    email: account.email,
    email_verified: true,
    amr: ["pwd"],
    ...overrides,
  };
}

describe("NAP refresh: only a live refresh token in X-NAP-Refresh-Token", () => {
  it("no header, an empty one, or the token in a body or as Bearer: 400", async () => {
    const { tokens } = await napSession();
    await expectNapError(
      await napCall("POST", "/api/auth/refresh"),
      400,
      "Send the refresh token in X-NAP-Refresh-Token.",
    );
    await expectNapError(await refreshWith(" "), 400);
    const inBody = await napCall("POST", "/api/auth/refresh", { json: { refresh_token: tokens.refresh_token } });
    await expectNapError(inBody, 400);
    await expectNapError(await napCall("POST", "/api/auth/refresh", { token: tokens.refresh_token }), 400);
  });

  it("an unknown token, the session token, or one of impossible length: 401", async () => {
    const { tokens } = await napSession();
    for (const token of ["not-a-refresh-token", tokens.session_token, "x".repeat(3000)]) {
      await expectNapError(await refreshWith(token), 401, "Invalid or expired refresh token; log in again.");
    }
  });

  it("a rotated refresh token replayed after the grace window ends the whole session", async () => {
    const { tokens } = await napSession();
    const rotated = await expectModel(await refreshWith(tokens.refresh_token), 200, RefreshResultModel);
    freezeClock();
    advanceClock((await config()).refreshReuseGraceSeconds + 5);
    await expectNapError(await refreshWith(tokens.refresh_token), 401);
    expect(await revokedAt(tokens.session_id)).toEqual(expect.any(Number));
    // The legitimate holder's newer token dies with the family.
    await expectNapError(await refreshWith(rotated.tokens.refresh_token), 401);
  });

  it("a session idle past its timeout: 401", async () => {
    const { tokens } = await napSession();
    freezeClock();
    advanceClock((await config()).sessionIdleTimeoutSeconds + 5);
    await expectNapError(await refreshWith(tokens.refresh_token), 401);
  });
});

describe("NAP logout: each presented token must be live, or nothing is ended", () => {
  it("neither header (a Bearer token does not count): 400", async () => {
    const { tokens } = await napSession();
    await expectNapError(await logOutWith({}), 400, "Send X-NAP-Session-Token or X-NAP-Refresh-Token.");
    await expectNapError(await napCall("POST", "/api/auth/logout", { token: tokens.session_token }), 400);
    expect(await revokedAt(tokens.session_id)).toBeNull();
  });

  it("forged session tokens: 401, in NAP's shape", async () => {
    const account = await napSession();
    const forged = [
      "not.a.token",
      unsignedToken({ alg: "none", typ: "at+jwt" }, claimsFor(account)),
      `${account.tokens.session_token.slice(0, -4)}AAAA`,
      await signWith(CURRENT_KEY, claimsFor(account, { sid: crypto.randomUUID() })),
      await signWith(CURRENT_KEY, claimsFor(account), { typ: "JWT" }),
    ];
    for (const token of forged) {
      await expectNapError(
        await logOutWith({ "X-NAP-Session-Token": token }),
        401,
        "Invalid or expired session token.",
      );
    }
    expect(await revokedAt(account.tokens.session_id)).toBeNull();
  });

  it("an expired session token, and one whose session already ended: 401 with the reason as the hint", async () => {
    const account = await napSession();
    freezeClock();
    advanceClock((await config()).accessTokenTtlSeconds + 60);
    const expired = await expectNapError(
      await logOutWith({ "X-NAP-Session-Token": account.tokens.session_token }),
      401,
    );
    expect(expired.debug).toBe("session token expired");

    const other = await napSession();
    await expectModel(await logOutWith({ "X-NAP-Session-Token": other.tokens.session_token }), 200, DoneModel);
    const ended = await expectNapError(await logOutWith({ "X-NAP-Session-Token": other.tokens.session_token }), 401);
    expect(ended.debug).toBe("session ended");
    await expectNapError(await logOutWith({ "X-NAP-Refresh-Token": other.tokens.refresh_token }), 401);
  });

  it("wrong-kind tokens: the refresh token as session token, the session token as refresh token", async () => {
    const { tokens } = await napSession();
    await expectNapError(await logOutWith({ "X-NAP-Session-Token": tokens.refresh_token }), 401);
    await expectNapError(await logOutWith({ "X-NAP-Refresh-Token": tokens.session_token }), 401);
    await expectNapError(await logOutWith({ "X-NAP-Refresh-Token": "unknown-refresh-token" }), 401);
    expect(await revokedAt(tokens.session_id)).toBeNull();
  });

  it("another user's refresh token beside one's own session token: 401, and neither session ends", async () => {
    const mine = await napSession();
    const theirs = await napSession();
    const headers = {
      "X-NAP-Session-Token": mine.tokens.session_token,
      "X-NAP-Refresh-Token": theirs.tokens.refresh_token,
    };
    await expectNapError(await logOutWith(headers), 401, "Invalid or expired refresh token; log in again.");
    expect(await revokedAt(mine.tokens.session_id)).toBeNull();
    expect(await revokedAt(theirs.tokens.session_id)).toBeNull();
  });

  it("a live session token with a dead refresh token ends nothing", async () => {
    const { tokens } = await napSession();
    const headers = { "X-NAP-Session-Token": tokens.session_token, "X-NAP-Refresh-Token": "dead-refresh-token" };
    await expectNapError(await logOutWith(headers), 401);
    expect(await revokedAt(tokens.session_id)).toBeNull();
  });
});

describe("NAP login of an account with a second factor", () => {
  it("is refused with 401 ErrorResponse and opens no session: NAP's MFA step comes with its flows", async () => {
    const account = await signUpWithTotp();
    const token = await napVerificationToken(account.email);
    await expectModel(await napCall("POST", "/api/auth/verify-email/verify", { json: { token } }), 200, DoneModel);
    const before = await sessionRowCount(account.userId);
    const response = await napLogIn(account.email, PASSWORD);
    const body = await expectNapError(response, 401, /second factor/);
    expect(body.debug).toBe("second factor required");
    expect(await sessionRowCount(account.userId)).toBe(before);
  });
});

describe("every NAP route is gated per IP", { timeout: 120_000 }, () => {
  const routes = dialectRoutes({ name: "nap", prefix: "" });

  it("is found from the router: the swagger's seven operations and the flow's organization choice", () => {
    expect(routes.map((route) => `${route.method} ${route.path}`).sort()).toEqual([
      "GET /api/auth/flow/:flowId",
      "POST /api/auth/flow/:flowId/org",
      "POST /api/auth/login",
      "POST /api/auth/logout",
      "POST /api/auth/refresh",
      "POST /api/auth/signup",
      "POST /api/auth/verify-email/send",
      "POST /api/auth/verify-email/verify",
    ]);
  });

  for (const { method, path } of routes) {
    it(`${method} ${path}: the 61st anonymous request is NAP's 429 with Retry-After`, async () => {
      await expectGatedOrRefused(method, path.replace(":flowId", crypto.randomUUID()), {
        rateLimited: {
          message: "Too many requests; try again later.",
          debug: "rate limited; see Retry-After",
          code: 429,
        },
        unauthenticated: null,
        expected: "gated",
      });
    });
  }
});
