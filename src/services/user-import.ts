// The user import (POST /v1/admin/users/import, RPC importUsers): up to 500 rows a call from an old
// server, each checked, normalized and decided on its own (user-import-rows.ts, -hashes.ts, -plan.ts),
// then every new row written in one batch (src/storage/user-import-store.ts) where a row is all or
// nothing. Idempotent: a row imported before is "unchanged"; a conflict is reported, never written
// over. A plaintext password is hashed with our scrypt here and never stored, digested or echoed.
// Each call is one `admin_action` security event with counts, never row data.

import { hashPassword } from "../crypto/password-hash";
import { generateId } from "../crypto/random";
import { sealSecret } from "../crypto/secret-box";
import { fail, type Result, succeed } from "../errors";
import { findImportConflicts, type ImportWriteRow, writeImportBatch } from "../storage/user-import-store";
import type { AdminActor } from "./admin-actions";
import type { RequestScope, ServiceContext } from "./context";
import { recordSecurityEvent } from "./security-events";
import { duplicateFinder, probeOf, rowDigest, type Standing, standingOf } from "./user-import-plan";
import { checkImportRow, type ImportRow, type RowRefusal } from "./user-import-rows";

export const MAX_IMPORT_ROWS = 500;
/**
 * Rows with a plaintext `password` a call may carry: each costs one scrypt at our production
 * parameters (~200 ms of CPU), so 500 would be minutes of CPU in one request, past any Worker's limit.
 * Ten keep a call within about two seconds; the CLI sends such rows in batches this small.
 */
export const MAX_PLAINTEXT_ROWS = 10;

const hasPlaintext = (raw: unknown) => typeof raw === "object" && raw !== null && "password" in raw;

export type ImportResult =
  | { index: number; status: "created"; userId: string | null }
  | { index: number; status: "unchanged"; userId: string }
  | { index: number; status: "rejected"; error: RowRefusal };

export interface ImportOutcome {
  results: ImportResult[];
  created: number;
  unchanged: number;
  rejected: number;
  dryRun: boolean;
}

interface Candidate {
  index: number;
  row: ImportRow;
  digest: string;
}

const rejected = (index: number, error: RowRefusal): ImportResult => ({ index, status: "rejected", error });

function resultOf(candidate: Candidate, standing: Standing): ImportResult | null {
  if (standing.kind === "unchanged") return { index: candidate.index, status: "unchanged", userId: standing.userId };
  if (standing.kind === "refused") return rejected(candidate.index, standing.refusal);
  return null;
}

async function writeRowOf(context: ServiceContext, candidate: Candidate, now: number): Promise<ImportWriteRow> {
  const { row, digest } = candidate;
  const id = row.id ?? generateId();
  const passwordHash =
    row.password === null ? row.passwordHash : await hashPassword(row.password, context.config.passwordScrypt);
  return {
    id,
    email: row.email,
    email_verified: row.emailVerified ? 1 : 0,
    username: row.username,
    password_hash: passwordHash,
    name: row.name,
    first_name: row.firstName,
    last_name: row.lastName,
    phone: row.phone,
    phone_verified: row.phoneVerified ? 1 : 0,
    disabled_at: row.disabled ? now : null,
    created_at: row.createdAt ?? now,
    legacy_id: row.legacyId,
    digest,
    // Sealed exactly as totp-service.ts seals an enrolled secret: bound to this user id.
    totp: row.totpSecret ? await sealSecret(context.totpKey, row.totpSecret, `totp:${id}`) : null,
    identities: row.identities.map((identity) => ({ id: generateId(), ...identity })),
  };
}

export async function importUsers(
  context: ServiceContext,
  actor: AdminActor,
  input: { users: unknown; dryRun: boolean },
  scope: RequestScope | undefined,
): Promise<Result<ImportOutcome>> {
  const { users, dryRun } = input;
  if (!Array.isArray(users) || users.length === 0) {
    return fail("invalid_request", { issues: [{ field: "users", message: "must be a non-empty array" }] });
  }
  if (users.length > MAX_IMPORT_ROWS) {
    return fail("batch_too_large", { issues: [{ field: "users", message: `at most ${MAX_IMPORT_ROWS} rows a call` }] });
  }
  // Refused whole, dry run or not (a dry run predicts the real one): nothing is hashed or written.
  if (users.filter(hasPlaintext).length > MAX_PLAINTEXT_ROWS) {
    const message = `at most ${MAX_PLAINTEXT_ROWS} rows with a plaintext password a call`;
    return fail("batch_too_large", { issues: [{ field: "users", message }] });
  }
  const results: (ImportResult | null)[] = users.map(() => null);
  const candidates: Candidate[] = [];
  const isDuplicate = duplicateFinder();
  const firebaseConfigured = context.config.firebaseScrypt !== null;
  for (const [index, raw] of users.entries()) {
    const checked = checkImportRow(raw, firebaseConfigured);
    if (!checked.ok) {
      results[index] = rejected(index, checked.refusal);
      continue;
    }
    const field = isDuplicate(checked.row);
    if (field) {
      results[index] = rejected(index, { code: "duplicate_in_batch", field, reason: "an earlier row has it" });
      continue;
    }
    candidates.push({ index, row: checked.row, digest: await rowDigest(checked.row) });
  }

  const found = await findImportConflicts(context.db.$client, probeOf(candidates.map((c) => c.row)));
  const fresh: Candidate[] = [];
  for (const candidate of candidates) {
    const decided = resultOf(candidate, standingOf(candidate.row, candidate.digest, found));
    if (decided) results[candidate.index] = decided;
    else fresh.push(candidate);
  }

  if (dryRun) {
    for (const candidate of fresh)
      results[candidate.index] = { index: candidate.index, status: "created", userId: null };
  } else if (fresh.length > 0) {
    const now = context.now();
    const writeRows = await Promise.all(fresh.map((candidate) => writeRowOf(context, candidate, now)));
    const nonce = `:${generateId()}`;
    const created = await writeImportBatch(context.db.$client, writeRows, now, nonce);
    const lost: Candidate[] = [];
    fresh.forEach((candidate, position) => {
      const id = writeRows[position]?.id ?? "";
      if (created.has(id)) results[candidate.index] = { index: candidate.index, status: "created", userId: id };
      else lost.push(candidate);
    });
    // Rows another writer took first (a parallel import, a sign-up): decided again against what is there now.
    if (lost.length > 0) {
      const now2 = await findImportConflicts(context.db.$client, probeOf(lost.map((c) => c.row)));
      for (const candidate of lost) {
        const decided = resultOf(candidate, standingOf(candidate.row, candidate.digest, now2));
        results[candidate.index] =
          decided ?? rejected(candidate.index, { code: "email_taken", field: "email", reason: "taken meanwhile" });
      }
    }
  }

  const final = results as ImportResult[];
  const count = (status: ImportResult["status"]) => final.filter((result) => result.status === status).length;
  const outcome = {
    results: final,
    created: count("created"),
    unchanged: count("unchanged"),
    rejected: count("rejected"),
    dryRun,
  };
  recordSecurityEvent(context, scope, {
    type: "admin_action",
    subjectUserId: null,
    actorUserId: actor.userId,
    actorKeyId: actor.keyId,
    detail: {
      action: "import_users",
      via: actor.via,
      dry_run: dryRun,
      created: outcome.created,
      unchanged: outcome.unchanged,
      rejected: outcome.rejected,
    },
  });
  return succeed(outcome);
}
