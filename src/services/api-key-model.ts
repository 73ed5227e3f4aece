// The domain's API key (never its secret or hash) and the principal a key-authenticated request acts
// for. Times are Unix seconds.

import type { ApiKeyRow } from "../storage/schema";
import { type ApiKeyScope, isApiKeyScope } from "./api-key-scopes";
import { parseStringList } from "./json-list";
import type { User } from "./model";

export interface ApiKey {
  id: string;
  /** Exactly one of `userId` and `organizationId` is set: the key's owner. */
  userId: string | null;
  organizationId: string | null;
  /** Who made it; null once that account is deleted (an organization's key outlives its maker). */
  createdBy: string | null;
  name: string;
  scopes: ApiKeyScope[];
  /** The first characters of the key, for recognising it in a list. */
  prefix: string;
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
  /** The key this one replaced by a roll. */
  predecessorId: string | null;
  /** Set once rolled: the key that replaces this one, which stops working at `graceEndsAt`. */
  successorId: string | null;
  graceEndsAt: number | null;
}

/** The organization that owns a key, as a key-authenticated request sees it. */
export interface KeyOrganization {
  id: string;
  slug: string;
  name: string;
}

/**
 * A request authenticated by an API key: the key and its owner, a user (whose account is enabled) or
 * an organization (not deleted). An organization's key acts for no person.
 */
export type ApiKeyPrincipal = UserApiKeyPrincipal | OrgApiKeyPrincipal;

export interface UserApiKeyPrincipal {
  kind: "api_key";
  key: ApiKey;
  user: User;
  organization: null;
}

export interface OrgApiKeyPrincipal {
  kind: "api_key";
  key: ApiKey;
  user: null;
  organization: KeyOrganization;
}

export function toApiKey(row: ApiKeyRow): ApiKey {
  return {
    id: row.id,
    userId: row.userId,
    organizationId: row.organizationId,
    createdBy: row.createdBy,
    name: row.name,
    scopes: parseStringList(row.scopes).filter(isApiKeyScope),
    prefix: row.prefix,
    createdAt: row.createdAt,
    expiresAt: row.expiresAt,
    lastUsedAt: row.lastUsedAt,
    predecessorId: row.predecessorId,
    successorId: row.successorId,
    graceEndsAt: row.graceEndsAt,
  };
}

/** When the key stops working by itself (expiry or the end of its roll's grace), or null for never. */
export function usableUntil(key: Pick<ApiKey, "expiresAt" | "graceEndsAt">): number | null {
  const ends = [key.expiresAt, key.graceEndsAt].filter((value): value is number => value !== null);
  return ends.length === 0 ? null : Math.min(...ends);
}
