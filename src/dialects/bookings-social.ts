// Bookings' POST /auth/social/google-oauth2 (issue 12): its `access_code` (a Google popup code, an
// access token or an ID token) through the core's credential exchange; a new account answers 201.
import type { Context } from "hono";
import { AppError } from "../errors";
import type { AppEnv } from "../routes/http/app-env";
import { readBody } from "../routes/http/body";
import { clientInfo } from "../routes/http/client";
import { requestScope } from "../routes/http/request-scope";
import { finishFirstFactor } from "../services/mfa-service";
import { exchangeProviderCredential, type ProviderCredential } from "../services/oauth/credential-exchange";
import { NO_STORE, secondFactorRefusal, tokenPair } from "./bookings-answers";
import { SocialFields } from "./bookings-schemas";

export async function socialSignIn(c: Context<AppEnv>): Promise<Response> {
  const { access_code: code } = await readBody(c, SocialFields);
  const credential: ProviderCredential = /^[\w-]+\.[\w-]+\.[\w-]+$/.test(code)
    ? { kind: "id_token", idToken: code, nonce: null }
    : // Google's access tokens start "ya29."; its authorization codes "4/".
      code.startsWith("ya29.")
      ? { kind: "access_token", accessToken: code }
      : { kind: "code", code, redirectUri: "postmessage", codeVerifier: null, nonce: null };
  const services = c.get("services");
  // Bookings has no organizations to choose: a sign-in ends at the first factor, as its login does.
  const result = await exchangeProviderCredential(
    services,
    "google",
    credential,
    clientInfo(c),
    requestScope(c),
    finishFirstFactor,
  );
  if (!result.ok) throw new AppError(result.error);
  const { outcome, created } = result.value;
  if (outcome.kind === "mfa_required") return secondFactorRefusal(c);
  const pair = tokenPair(outcome.tokens);
  if (created) return c.json({ detail: "User created successfully!", ...pair }, 201, NO_STORE);
  return c.json(pair, 200, NO_STORE);
}
