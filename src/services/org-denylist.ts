// Refusing a session's organization-scoped access tokens elsewhere (/v1/token/verify, RPC) once the
// membership behind them ended: a denylist entry for the pair (session, organization), beside the
// session's own entry, so the person's other tokens of that session keep working.

import { denySessionTokens } from "./session-service";

/** The denylist id of a session's tokens scoped to one organization. */
export const orgScopedDenylistId = (sessionId: string, organizationId: string): string =>
  `${sessionId}:org:${organizationId}`;

export async function denyOrgScopedTokens(
  context: Parameters<typeof denySessionTokens>[0],
  sessionIds: string[],
  organizationId: string,
): Promise<void> {
  await denySessionTokens(
    context,
    sessionIds.map((id) => orgScopedDenylistId(id, organizationId)),
  );
}
