// Managing API keys: create (the secret shown once), list (never the secret), revoke, and roll (a
// successor now; the old key keeps working for a grace period the caller chooses, ≤ 7 days). The
// caller is a signed-in person managing their own keys, or (org-api-key-service.ts) an organization's
// with the right role; a key never manages keys. Each change is recorded as an event.

import { displayPrefixOf, generateApiKey, hashApiKey } from "../crypto/api-key-format";
import { generateId } from "../crypto/random";
import { fail, type Result, succeed } from "../errors";
import {
  findOwnUsableApiKey,
  insertApiKeyUnderCap,
  type KeyOwner,
  listUsableApiKeys,
  type NewApiKey,
  revokeOwnApiKey,
  rollOwnApiKey,
} from "../storage/api-key-store";
import { denySessions } from "../storage/kv/revocation-store";
import { type ApiKey, toApiKey } from "./api-key-model";
import { type ApiKeyScope, USER_MINTABLE_SCOPES } from "./api-key-scopes";
import type { RequestScope, ServiceContext } from "./context";
import type { UserSessionPrincipal } from "./principal";
import { recordSecurityEvent } from "./security-events";

/** Usable keys one account may hold at once (a bound on rows a signed-in caller can create). */
export const MAX_USABLE_API_KEYS_PER_USER = 50;
/** Usable keys one organization may hold at once. */
export const MAX_USABLE_API_KEYS_PER_ORG = 50;
/** The longest a rolled key keeps working beside its successor. */
export const MAX_ROLL_GRACE_SECONDS = 604_800;

export interface NewApiKeyInput {
  name: string;
  scopes: ApiKeyScope[];
  /** Seconds from now; absent: the key never expires (revoke or roll it). */
  expiresInSeconds?: number;
}

/** A key just made: `secret` is the only time the key itself is ever shown. */
export interface IssuedApiKey {
  key: ApiKey;
  secret: string;
}

async function newKeyRecord(
  context: ServiceContext,
  fields: Omit<NewApiKey, "id" | "prefix" | "secretHash" | "createdAt">,
): Promise<{ row: NewApiKey; secret: string }> {
  const secret = generateApiKey();
  const row: NewApiKey = {
    ...fields,
    id: generateId(),
    prefix: displayPrefixOf(secret),
    secretHash: await hashApiKey(context.apiKeyHashKey, secret),
    createdAt: context.now(),
  };
  return { row, secret };
}

/**
 * Whose keys a call manages and who is acting: a person's own (`owner` is them), or an organization's
 * by a member whose role allows it (the caller checked that).
 */
export interface KeyHolder {
  owner: KeyOwner;
  actor: UserSessionPrincipal;
}

export const ownKeys = (caller: UserSessionPrincipal): KeyHolder => ({
  owner: { userId: caller.user.id },
  actor: caller,
});

const capOf = (owner: KeyOwner) => ("userId" in owner ? MAX_USABLE_API_KEYS_PER_USER : MAX_USABLE_API_KEYS_PER_ORG);
const notFound = (owner: KeyOwner) =>
  fail("api_key_not_found", { reason: `no usable key of this ${"userId" in owner ? "user" : "organization"}` });

/** A change to a key, as a security event: ids and scopes only, never the key. */
function recordApiKeyEvent(
  context: ServiceContext,
  scope: RequestScope,
  holder: KeyHolder,
  type: "api_key_created" | "api_key_rolled" | "api_key_revoked",
  key: { id: string; organizationId: string | null },
  extra: Record<string, string | number> = {},
): void {
  recordSecurityEvent(context, scope, {
    type,
    subjectUserId: holder.actor.user.id,
    actorUserId: holder.actor.user.id,
    orgId: key.organizationId,
    detail: { key_id: key.id, ...extra },
  });
}

export async function createApiKey(
  context: ServiceContext,
  holder: KeyHolder,
  input: NewApiKeyInput,
  scope: RequestScope,
): Promise<Result<IssuedApiKey>> {
  const scopes = [...new Set(input.scopes)];
  const reserved = scopes.filter((name) => !USER_MINTABLE_SCOPES.includes(name));
  // `admin` is an operator's to grant (the admin API); a session cannot mint it, for itself or an organization.
  if (reserved.length > 0) return fail("insufficient_scope", { reason: `reserved scopes: ${reserved.join(" ")}` });
  const now = context.now();
  const { owner } = holder;
  const { row, secret } = await newKeyRecord(context, {
    userId: "userId" in owner ? owner.userId : null,
    organizationId: "organizationId" in owner ? owner.organizationId : null,
    createdBy: holder.actor.user.id,
    name: input.name,
    scopes: JSON.stringify(scopes),
    expiresAt: input.expiresInSeconds === undefined ? null : now + input.expiresInSeconds,
  });
  const cap = capOf(owner);
  const stored = await insertApiKeyUnderCap(context.db, row, cap);
  if (!stored) return fail("too_many_api_keys", { reason: `more than ${cap} usable keys` });
  recordApiKeyEvent(context, scope, holder, "api_key_created", stored, { scopes: scopes.join(" ") });
  return succeed({ key: toApiKey(stored), secret });
}

/** The owner's usable keys (rolled ones until their grace ends), newest first. */
export async function listApiKeys(context: ServiceContext, owner: KeyOwner): Promise<ApiKey[]> {
  return (await listUsableApiKeys(context.db, owner, context.now())).map(toApiKey);
}

/**
 * Revokes one of the owner's keys at once (unknown, another owner's and dead keys alike answer
 * api_key_not_found), and denylists the access tokens exchanged for it: their `sid` is the key's id.
 */
export async function revokeApiKey(
  context: ServiceContext,
  holder: KeyHolder,
  id: string,
  scope: RequestScope,
): Promise<Result<void>> {
  const revoked = await revokeOwnApiKey(context.db, holder.owner, id, context.now());
  if (!revoked) return notFound(holder.owner);
  await denySessions(context.kv, [revoked.id], context.config.accessTokenTtlSeconds);
  recordApiKeyEvent(context, scope, holder, "api_key_revoked", revoked);
  return succeed(undefined);
}

/**
 * A successor with the same name, scopes and expiry, shown once; the old key works until
 * `graceSeconds` from now (0: it stops at once). A key is rolled once: roll its successor next.
 */
export async function rollApiKey(
  context: ServiceContext,
  holder: KeyHolder,
  id: string,
  graceSeconds: number,
  scope: RequestScope,
): Promise<Result<IssuedApiKey>> {
  const now = context.now();
  const old = await findOwnUsableApiKey(context.db, holder.owner, id, now);
  if (!old) return notFound(holder.owner);
  if (old.successorId !== null) return fail("api_key_rolled", { reason: "already rolled" });
  // A session cannot roll an operator's key (`admin`) into a fresh secret: only an operator mints one.
  if (toApiKey(old).scopes.some((name) => !USER_MINTABLE_SCOPES.includes(name))) {
    return fail("insufficient_scope", { reason: "a reserved scope is the operator's to reissue" });
  }
  const { row, secret } = await newKeyRecord(context, {
    userId: old.userId,
    organizationId: old.organizationId,
    createdBy: holder.actor.user.id,
    name: old.name,
    scopes: old.scopes,
    expiresAt: old.expiresAt,
    predecessorId: old.id,
  });
  const graceEndsAt = now + Math.min(graceSeconds, MAX_ROLL_GRACE_SECONDS);
  const successor = await rollOwnApiKey(context.db, old, row, graceEndsAt);
  // Lost a race: a parallel roll won, or the key was revoked meanwhile.
  if (!successor) return fail("api_key_rolled", { reason: "rolled or revoked meanwhile" });
  recordApiKeyEvent(context, scope, holder, "api_key_rolled", old, {
    successor_id: row.id,
    grace_ends_at: graceEndsAt,
  });
  return succeed({ key: toApiKey(successor), secret });
}
