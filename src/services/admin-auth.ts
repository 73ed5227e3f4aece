// Who may call the admin API: only an API key that holds `admin`, never a person's session (a user's
// access token is not a key, and answers like no key at all). A request refused for its credential
// (none, a session token, an unknown, revoked, expired or mistyped key) is counted per client IP, so
// guessing is bounded without limiting an operator's working key (that has its own per-key limit).

import { fail, type Result, succeed } from "../errors";
import { authenticateApiKey } from "./api-key-auth";
import type { UserApiKeyPrincipal } from "./api-key-model";
import type { RequestScope, ServiceContext } from "./context";
import { rateLimitKeyOfIp } from "./ip-address";

/** RATE_LIMIT_IP bucket of refused admin credentials (60 a minute per client). */
const REFUSED_CREDENTIAL_BUCKET = "admin-refused";

export async function authenticateAdmin(
  context: ServiceContext,
  presented: string | null,
  ip: string | null,
  scope: RequestScope,
): Promise<Result<UserApiKeyPrincipal>> {
  if (presented !== null) {
    const result = await authenticateApiKey(context, presented, scope, "admin");
    if (result.ok) {
      // An operator's key is a person's; an organization's key never holds `admin` (minted only by RPC).
      if (result.value.user === null) return fail("insufficient_scope", { reason: "organization key" });
      return succeed(result.value);
    }
    if (result.error.code !== "invalid_api_key") return result;
  }
  const key = `${REFUSED_CREDENTIAL_BUCKET}:${ip ? rateLimitKeyOfIp(ip) : "unknown"}`;
  const { success } = await context.rateLimiters.ip.limit({ key });
  if (!success) return fail("rate_limited", { reason: "ip on refused admin credentials" });
  return fail("invalid_api_key", { reason: presented === null ? "no API key" : "unusable API key" });
}
