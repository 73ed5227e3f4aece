// Request and response schemas of the API-key routes and the client_credentials grant; the same
// objects validate requests and generate /openapi.json (src/routes/openapi.ts).

import * as z from "zod";
import { API_KEY_SCOPES } from "../services/api-key-scopes";
import { MAX_ROLL_GRACE_SECONDS } from "../services/api-key-service";

/** Ten years: far enough for "does not expire soon", bounded so a time never overflows. */
const MAX_KEY_LIFETIME_SECONDS = 315_360_000;

export const ApiKeyCreateBody = z
  .strictObject({
    name: z
      .string()
      .trim()
      .min(1)
      .max(100)
      .meta({ examples: ["billing backend"] }),
    scopes: z
      .array(z.enum(API_KEY_SCOPES))
      .min(1)
      .max(API_KEY_SCOPES.length)
      .meta({ description: "`verify`, `nap`; `admin` is reserved for operators (403 insufficient_scope)." }),
    expires_in: z
      .number()
      .int()
      .min(60)
      .max(MAX_KEY_LIFETIME_SECONDS)
      .optional()
      .meta({ description: "Seconds until the key stops working; absent: it never expires." }),
  })
  .meta({ id: "ApiKeyCreateRequest" });

export const ApiKeyRollBody = z
  .strictObject({
    grace_seconds: z
      .number()
      .int()
      .min(0)
      .max(MAX_ROLL_GRACE_SECONDS)
      .meta({ description: "How long the old key keeps working beside its successor (≤ 7 days)." }),
  })
  .meta({ id: "ApiKeyRollRequest" });

export const ApiKeyIdParam = z.object({ id: z.string().uuid() });

export const ApiKey = z
  .object({
    id: z.string(),
    name: z.string(),
    scopes: z.array(z.enum(API_KEY_SCOPES)),
    prefix: z.string().meta({ description: "The key's first characters, e.g. `ea_sk_4Fq2`." }),
    organization_id: z.string().nullable().meta({ description: "The owning organization; null for a user's key." }),
    created_by: z
      .string()
      .nullable()
      .meta({ description: "The user who made it; null once their account is deleted." }),
    created_at: z.string(),
    expires_at: z.string().nullable(),
    last_used_at: z.string().nullable().meta({ description: "Updated at most every 5 minutes." }),
    predecessor_id: z.string().nullable(),
    successor_id: z.string().nullable(),
    grace_ends_at: z.string().nullable().meta({ description: "For a rolled key: when it stops working." }),
  })
  .meta({ id: "ApiKey" });

export const IssuedApiKey = ApiKey.extend({
  api_key: z.string().meta({ description: "The key itself, `ea_sk_…`: shown this once, never again." }),
}).meta({ id: "IssuedApiKey" });

export const ApiKeyList = z.object({ keys: z.array(ApiKey) }).meta({ id: "ApiKeyList" });

export const ClientCredentialsRequest = z
  .object({
    grant_type: z.literal("client_credentials"),
    scope: z.string().optional().meta({ description: "Space-separated subset of the key's scopes." }),
    client_id: z.string().optional().meta({ description: "The key's id (optional); with `client_secret`." }),
    client_secret: z.string().optional().meta({ description: "The API key, unless sent by Basic or Bearer." }),
  })
  .meta({ id: "ClientCredentialsRequest" });

export const ClientCredentialsResponse = z
  .object({
    access_token: z.string(),
    token_type: z.literal("Bearer"),
    expires_in: z.number().int(),
    scope: z.string(),
  })
  .meta({ id: "ClientCredentialsResponse" });

export const OAuthError = z
  .object({
    error: z.enum(["invalid_request", "invalid_client", "invalid_grant", "invalid_scope", "unsupported_grant_type"]),
    error_description: z.string().optional(),
  })
  .meta({ id: "OAuthError", description: "RFC 6749 §5.2." });
