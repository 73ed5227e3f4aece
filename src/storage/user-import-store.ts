// Queries of the user import (src/services/user-import.ts). D1 binds at most 100 parameters per
// statement and a Worker invocation may run only 50 queries (Free plan), so a batch of up to 500 rows
// is never one statement per row: each statement binds the whole batch as ONE JSON parameter and
// walks it with json_each. The write is one db.batch (one transaction): users, then their identities
// and TOTP factors only for users this very batch inserted, then the list of those users.

export interface ExistingUser {
  id: string;
  email: string;
  username: string | null;
  legacy_id: string | null;
  import_digest: string | null;
}

export interface HeldIdentity {
  provider: string;
  subject: string;
  user_id: string;
}

export interface ImportProbe {
  ids: string[];
  legacyIds: string[];
  emails: string[];
  usernames: string[];
  identities: { provider: string; subject: string }[];
}

/** Users holding any of the probe's ids, legacy ids, emails or usernames, and identities already linked. */
export async function findImportConflicts(
  d1: D1Database,
  probe: ImportProbe,
): Promise<{ users: ExistingUser[]; identities: HeldIdentity[] }> {
  const list = (values: unknown[]) => JSON.stringify(values);
  const [users, identities] = await d1.batch([
    d1
      .prepare(
        `select id, email, username, legacy_id, import_digest from users
         where id in (select value from json_each(?1)) or email in (select value from json_each(?2))
            or username in (select value from json_each(?3)) or legacy_id in (select value from json_each(?4))`,
      )
      .bind(list(probe.ids), list(probe.emails), list(probe.usernames), list(probe.legacyIds)),
    d1
      .prepare(
        `select i.provider, i.subject, i.user_id from json_each(?1) p
         join identities i on i.provider = p.value ->> 'provider' and i.subject = p.value ->> 'subject'`,
      )
      .bind(list(probe.identities)),
  ]);
  return {
    users: (users?.results ?? []) as unknown as ExistingUser[],
    identities: (identities?.results ?? []) as unknown as HeldIdentity[],
  };
}

/** One row as the write statements read it from the JSON parameter (booleans as 0/1). */
export interface ImportWriteRow {
  id: string;
  email: string;
  email_verified: 0 | 1;
  username: string | null;
  password_hash: string | null;
  name: string | null;
  first_name: string | null;
  last_name: string | null;
  phone: string | null;
  phone_verified: 0 | 1;
  disabled_at: number | null;
  created_at: number;
  legacy_id: string | null;
  /** 64 hex characters. */
  digest: string;
  /** AES-GCM sealed, bound to `id`, as totp-service.ts seals; null: no factor. */
  totp: string | null;
  identities: { id: string; provider: string; subject: string; email: string | null }[];
}

const DIGEST_LENGTH = 64;

/**
 * Inserts what it can of `rows` in one batch and answers the ids of the users it inserted. A user whose
 * id, email, username or legacy id is taken, or one of whose identities is linked, is skipped whole.
 * While the batch runs, this batch's users carry their digest with `nonce` appended, which is how the
 * dependent inserts tell them from a user that already had the id; the last statement strips it.
 */
export async function writeImportBatch(d1: D1Database, rows: ImportWriteRow[], now: number, nonce: string) {
  const json = JSON.stringify(rows);
  const mine = `join users u on u.id = j.value ->> 'id' and u.import_digest = (j.value ->> 'digest') || ?3`;
  const [, , , created] = await d1.batch([
    d1
      .prepare(
        `insert into users (id, email, email_verified, username, password_hash, name, first_name, last_name,
           phone, phone_verified, sms_mfa_enabled, address, disabled_at, created_at, updated_at, legacy_id, import_digest)
         select j.value ->> 'id', j.value ->> 'email', j.value ->> 'email_verified', j.value ->> 'username',
           j.value ->> 'password_hash', j.value ->> 'name', j.value ->> 'first_name', j.value ->> 'last_name',
           j.value ->> 'phone', j.value ->> 'phone_verified', 0, null, j.value ->> 'disabled_at',
           j.value ->> 'created_at', ?2, j.value ->> 'legacy_id', (j.value ->> 'digest') || ?3
         from json_each(?1) j
         where not exists (select 1 from json_each(j.value, '$.identities') x
           join identities i on i.provider = x.value ->> 'provider' and i.subject = x.value ->> 'subject')
         on conflict do nothing`,
      )
      .bind(json, now, nonce),
    d1
      .prepare(
        `insert into identities (id, user_id, provider, subject, email, email_verified, created_at, last_used_at)
         select x.value ->> 'id', u.id, x.value ->> 'provider', x.value ->> 'subject', x.value ->> 'email', 0, ?2, null
         from json_each(?1) j ${mine} join json_each(j.value, '$.identities') x
         where true on conflict do nothing`,
      )
      .bind(json, now, nonce),
    d1
      .prepare(
        `insert into totp_factors (user_id, secret_ciphertext, confirmed_at, last_used_step, failed_attempts, locked_until, created_at)
         select u.id, j.value ->> 'totp', ?2, null, 0, null, ?2
         from json_each(?1) j ${mine}
         where j.value ->> 'totp' is not null on conflict do nothing`,
      )
      .bind(json, now, nonce),
    d1.prepare(`select u.id from json_each(?1) j ${mine} where ?2 = ?2`).bind(json, now, nonce),
    d1
      .prepare(
        `update users set import_digest = substr(import_digest, 1, ${DIGEST_LENGTH})
         where id in (select value ->> 'id' from json_each(?1)) and length(import_digest) > ${DIGEST_LENGTH}`,
      )
      .bind(json),
  ]);
  return new Set(((created?.results ?? []) as { id: string }[]).map((row) => row.id));
}
