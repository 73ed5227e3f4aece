// What each checked import row would do, decided without writing: its digest (the idempotency key),
// a duplicate of an earlier row of the same batch, "unchanged" (the same row was imported before),
// a conflict with an existing user (reported, never overwritten), or a new user.

import { utf8 } from "../crypto/encoding";
import type { ExistingUser, HeldIdentity, ImportProbe } from "../storage/user-import-store";
import type { ImportRow, RowRefusal } from "./user-import-rows";

/** SHA-256 (hex) of the normalized row: the plaintext password and TOTP secret enter only as "present". */
export async function rowDigest(row: ImportRow): Promise<string> {
  const { password, totpSecret, ...rest } = row;
  const canonical = JSON.stringify({ ...rest, password: password !== null, totp: totpSecret !== null });
  const bytes = new Uint8Array(await crypto.subtle.digest("SHA-256", utf8(canonical)));
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

const identityKey = (identity: { provider: string; subject: string }) =>
  `${identity.provider}\u0000${identity.subject}`;

function keysOf(row: ImportRow): [field: string, key: string][] {
  const keys: [string, string][] = [["email", `e:${row.email}`]];
  if (row.id) keys.push(["id", `i:${row.id}`]);
  if (row.legacyId) keys.push(["legacy_id", `l:${row.legacyId}`]);
  if (row.username) keys.push(["username", `u:${row.username}`]);
  row.identities.forEach((identity, index) => {
    keys.push([`identities.${index}`, `p:${identityKey(identity)}`]);
  });
  return keys;
}

/** A later row sharing any unique key with an earlier one of the batch: that key's field, else null. */
export function duplicateFinder(): (row: ImportRow) => string | null {
  const seen = new Set<string>();
  return (row) => {
    const keys = keysOf(row);
    const repeated = keys.find(([, key]) => seen.has(key));
    if (repeated) return repeated[0];
    for (const [, key] of keys) seen.add(key);
    return null;
  };
}

export function probeOf(rows: ImportRow[]): ImportProbe {
  return {
    ids: rows.flatMap((row) => (row.id ? [row.id] : [])),
    legacyIds: rows.flatMap((row) => (row.legacyId ? [row.legacyId] : [])),
    emails: rows.map((row) => row.email),
    usernames: rows.flatMap((row) => (row.username ? [row.username] : [])),
    identities: rows.flatMap((row) => row.identities.map(({ provider, subject }) => ({ provider, subject }))),
  };
}

export type Standing =
  | { kind: "new" }
  | { kind: "unchanged"; userId: string }
  | { kind: "refused"; refusal: RowRefusal };

/** The row against the users and identities found for the batch. */
export function standingOf(
  row: ImportRow,
  digest: string,
  found: { users: ExistingUser[]; identities: HeldIdentity[] },
): Standing {
  const holders: [field: string, code: RowRefusal["code"], user: ExistingUser | undefined][] = [
    ["id", "id_taken", row.id ? found.users.find((u) => u.id === row.id) : undefined],
    ["legacy_id", "legacy_id_taken", row.legacyId ? found.users.find((u) => u.legacy_id === row.legacyId) : undefined],
    ["email", "email_taken", found.users.find((u) => u.email === row.email)],
    ["username", "username_taken", row.username ? found.users.find((u) => u.username === row.username) : undefined],
  ];
  const matched = holders.filter(([, , user]) => user !== undefined);
  const first = matched[0]?.[2];
  if (first && first.import_digest === digest && matched.every(([, , user]) => user?.id === first.id)) {
    return { kind: "unchanged", userId: first.id };
  }
  if (matched[0]) {
    const [field, code] = matched[0];
    return { kind: "refused", refusal: { code, field, reason: `an existing user holds this ${field}` } };
  }
  const index = row.identities.findIndex((identity) =>
    found.identities.some((held) => identityKey(held) === identityKey(identity)),
  );
  if (index >= 0) {
    const refusal = {
      code: "identity_taken",
      field: `identities.${index}`,
      reason: "linked to an existing user",
    } as const;
    return { kind: "refused", refusal };
  }
  return { kind: "new" };
}
