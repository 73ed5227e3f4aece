// What an API key may be used for. A fixed list, so a typo in a scope is refused at creation rather
// than minted into a key that can never do anything. Users mint only USER_MINTABLE_SCOPES: `admin`
// (the admin API, to come) is granted by operators only, never through POST /v1/keys.

export const API_KEY_SCOPES = [
  /** POST /v1/token/verify with the key (Bearer or X-API-Key). */
  "verify",
  /** NAP's deployment key (X-NAP-API-Key), for the NAP dialect. */
  "nap",
  /** Reserved: the admin API (/v1/admin/…); never minted by a user. */
  "admin",
] as const;

export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const USER_MINTABLE_SCOPES: readonly ApiKeyScope[] = ["verify", "nap"];

export function isApiKeyScope(value: string): value is ApiKeyScope {
  return (API_KEY_SCOPES as readonly string[]).includes(value);
}
