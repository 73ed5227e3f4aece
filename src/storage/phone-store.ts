// The phone columns of the users table. Each change is one UPDATE … RETURNING whose WHERE clause holds
// the condition it depends on, so a concurrent number change can never leave a number verified (or an
// SMS factor on) that no code ever proved.

import { and, eq, isNotNull, type SQL, sql } from "drizzle-orm";
import type { Database } from "./database";
import { type UserRow, users } from "./schema";

/**
 * SET fragments for a write of `phone`: the same number keeps its state; any other number starts
 * unverified, with SMS as a second factor off. Evaluated against the row as stored, in the same statement.
 */
export function phoneChangeResets(phone: string | null): { phoneVerified: SQL; smsMfaEnabled: SQL } {
  return {
    phoneVerified: sql`case when ${users.phone} is ${phone} then ${users.phoneVerified} else 0 end`,
    smsMfaEnabled: sql`case when ${users.phone} is ${phone} then ${users.smsMfaEnabled} else 0 end`,
  };
}

/**
 * WHERE fragment for a write of `phone`: while SMS sign-in is on, its number cannot change (turning it
 * off needs the password, so a stolen access token alone cannot move or drop the second factor).
 */
export function phoneChangeAllowed(phone: string | null): SQL {
  return sql`(${users.smsMfaEnabled} = 0 or ${users.phone} is ${phone})`;
}

/** Stores the number; undefined when the user is gone or SMS sign-in holds the current number. */
export async function storePhoneNumber(
  db: Database,
  userId: string,
  phone: string,
  now: number,
): Promise<UserRow | undefined> {
  return db
    .update(users)
    .set({ phone, ...phoneChangeResets(phone), updatedAt: now })
    .where(and(eq(users.id, userId), phoneChangeAllowed(phone)))
    .returning()
    .get();
}

/** Marks the number verified only if it is still the one the code was sent to. */
export async function markPhoneVerified(
  db: Database,
  userId: string,
  phone: string,
  now: number,
): Promise<UserRow | undefined> {
  return db
    .update(users)
    .set({ phoneVerified: true, updatedAt: now })
    .where(and(eq(users.id, userId), eq(users.phone, phone)))
    .returning()
    .get();
}

/** Turns SMS as a second factor on (only for a verified number) or off; undefined when refused. */
export async function setSmsMfaEnabled(
  db: Database,
  userId: string,
  enabled: boolean,
  now: number,
): Promise<UserRow | undefined> {
  const condition = enabled
    ? and(eq(users.id, userId), eq(users.phoneVerified, true), isNotNull(users.phone))
    : eq(users.id, userId);
  return db.update(users).set({ smsMfaEnabled: enabled, updatedAt: now }).where(condition).returning().get();
}
