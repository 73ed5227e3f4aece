// The native API's shapes of domain objects: snake_case, ISO 8601 times, never a secret. RPC
// answers the same user shape, so a consumer Worker and an SPA see one user.

import type { Session, User } from "../services/model";

const isoTime = (seconds: number) => new Date(seconds * 1000).toISOString();

/** The user as clients see it: never the password hash. */
export interface PublicUser {
  id: string;
  email: string;
  email_verified: boolean;
  username: string | null;
  name: string | null;
  first_name: string | null;
  last_name: string | null;
  phone: string | null;
  /** True once the number came back with its SMS code (POST /v1/phone/verify). */
  phone_verified: boolean;
  address: string | null;
  created_at: string;
  updated_at: string;
}

export function toPublicUser(user: User): PublicUser {
  return {
    id: user.id,
    email: user.email,
    email_verified: user.emailVerified,
    username: user.username,
    name: user.name,
    first_name: user.firstName,
    last_name: user.lastName,
    phone: user.phone,
    phone_verified: user.phoneVerified,
    address: user.address,
    created_at: isoTime(user.createdAt),
    updated_at: isoTime(user.updatedAt),
  };
}

/** A session in GET /v1/sessions; `current` marks the caller's own. */
export function toPublicSession(session: Session, currentSessionId: string) {
  return {
    id: session.id,
    created_at: isoTime(session.createdAt),
    last_used_at: isoTime(session.lastUsedAt),
    user_agent: session.userAgent,
    ip: session.ip,
    current: session.id === currentSessionId,
  };
}
