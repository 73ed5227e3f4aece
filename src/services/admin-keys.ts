// Minting an `admin` API key. Only an operator may: the one way is RPC (AuthService.issueAdminApiKey)
// from a Worker holding the service binding. POST /v1/keys refuses the scope (api-key-service), and a
// person's session cannot roll an admin key into a fresh secret either, so a signed-in user, or a
// thief of their session, never holds the admin API. The key belongs to a user (its owner): it dies
// with that account's disabling or deletion, like every key.

import { displayPrefixOf, generateApiKey, hashApiKey } from "../crypto/api-key-format";
import { generateId } from "../crypto/random";
import { fail, type Result, succeed } from "../errors";
import { insertApiKeyUnderCap } from "../storage/api-key-store";
import { findUserById } from "../storage/user-store";
import { type AdminActor, recordAdminAction } from "./admin-actions";
import { toApiKey } from "./api-key-model";
import { type IssuedApiKey, MAX_USABLE_API_KEYS_PER_USER } from "./api-key-service";
import type { RequestScope, ServiceContext } from "./context";
import { isDisabled } from "./model";
import { recordSecurityEvent } from "./security-events";

export interface AdminKeyInput {
  /** The account that owns the key (an operator's own account). */
  userId: string;
  name: string;
  expiresInSeconds?: number;
}

export async function issueAdminApiKey(
  context: ServiceContext,
  actor: AdminActor,
  input: AdminKeyInput,
  scope: RequestScope,
): Promise<Result<IssuedApiKey>> {
  const owner = await findUserById(context.db, input.userId);
  // A disabled owner's keys are refused anyway: minting one would be a key that never works.
  if (!owner || isDisabled(owner)) return fail("user_not_found");
  const secret = generateApiKey();
  const now = context.now();
  const stored = await insertApiKeyUnderCap(
    context.db,
    {
      id: generateId(),
      userId: owner.id,
      name: input.name,
      scopes: JSON.stringify(["admin"]),
      prefix: displayPrefixOf(secret),
      secretHash: await hashApiKey(context.apiKeyHashKey, secret),
      createdAt: now,
      expiresAt: input.expiresInSeconds === undefined ? null : now + input.expiresInSeconds,
    },
    MAX_USABLE_API_KEYS_PER_USER,
  );
  if (!stored) return fail("too_many_api_keys");
  recordSecurityEvent(context, scope, {
    type: "api_key_created",
    subjectUserId: owner.id,
    actorKeyId: actor.keyId,
    detail: { key_id: stored.id, scopes: "admin", via: actor.via },
  });
  recordAdminAction(context, scope, actor, owner.id, "issue_admin_key");
  return succeed({ key: toApiKey(stored), secret });
}
