// What Bookings' token endpoints answer alike (sign-in and Google sign-in): simplejwt's pair, never
// cached, and the refusal of an account with a second factor, which this document cannot carry.
import type { Context } from "hono";
import type { AppEnv } from "../routes/http/app-env";
import type { IssuedTokens } from "../services/token-issuer";

export const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };

/** simplejwt's pair: `access` and `refresh`, the refresh token rotating on every use. */
export const tokenPair = (tokens: IssuedTokens) => ({ access: tokens.accessToken, refresh: tokens.refreshToken });

export const secondFactorRefusal = (c: Context<AppEnv>) =>
  c.json({ detail: "This account signs in with a second factor; use the main sign-in." }, 403, NO_STORE);
