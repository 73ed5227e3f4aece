// Rows grouped into import calls: at most `maxRows` rows (the server takes 500), at most 10 of them
// with a plaintext password (each costs the server one scrypt), and at most the 2 MiB body the server
// reads, built from each row's JSON once. A batch is named by its line range and a
// digest of what it sends, so a resumed run skips exactly the batches that finished before, and
// re-sends any whose rows changed since. Rows refused locally go to `onReject` and are never sent.

import { createHash } from "node:crypto";

/** The server's body limit (src/routes/admin-import-routes.ts IMPORT_MAX_BODY_BYTES). */
export const MAX_BODY_BYTES = 2 * 1024 * 1024;
/** Rows with a plaintext `password` a call may carry (src/services/user-import.ts MAX_PLAINTEXT_ROWS). */
export const MAX_PLAINTEXT_ROWS = 10;
/** `{"users":[` … `],"dry_run":false}` around the rows, with room to spare. */
const ENVELOPE_BYTES = 64;

/** The request body for `batch`. */
export function batchBody(batch, dryRun) {
  return `{"users":[${batch.json.join(",")}],"dry_run":${dryRun}}`;
}

function sealBatch(lines, rows, json) {
  const digest = createHash("sha256");
  for (let i = 0; i < json.length; i++) digest.update(`${lines[i]}\n${json[i]}\n`);
  const first = lines[0];
  const last = lines[lines.length - 1];
  return { key: `${first}-${last}-${digest.digest("hex").slice(0, 32)}`, first, last, lines, rows, json };
}

/**
 * Batches of `parsed` (an async iterable of `{ line, row }` or `{ line, error, row? }`) as
 * `{ key, first, last, lines, rows, json }`.
 */
export async function* batchesOf(parsed, { maxRows, onReject }) {
  let lines = [];
  let rows = [];
  let json = [];
  let bytes = ENVELOPE_BYTES;
  let plaintext = 0;
  for await (const item of parsed) {
    if (item.error) {
      onReject(item);
      continue;
    }
    const text = JSON.stringify(item.row);
    const size = Buffer.byteLength(text) + 1;
    if (size + ENVELOPE_BYTES > MAX_BODY_BYTES) {
      const reason = `is larger than the ${MAX_BODY_BYTES / 1024 / 1024} MiB the server accepts in one call`;
      onReject({ line: item.line, row: item.row, error: { code: "row_too_large", reason } });
      continue;
    }
    const isPlaintext = Object.hasOwn(item.row, "password");
    if (rows.length > 0 && (bytes + size > MAX_BODY_BYTES || (isPlaintext && plaintext >= MAX_PLAINTEXT_ROWS))) {
      yield sealBatch(lines, rows, json);
      [lines, rows, json, bytes, plaintext] = [[], [], [], ENVELOPE_BYTES, 0];
    }
    lines.push(item.line);
    rows.push(item.row);
    json.push(text);
    bytes += size;
    if (isPlaintext) plaintext++;
    if (rows.length >= maxRows) {
      yield sealBatch(lines, rows, json);
      [lines, rows, json, bytes, plaintext] = [[], [], [], ENVELOPE_BYTES, 0];
    }
  }
  if (rows.length > 0) yield sealBatch(lines, rows, json);
}
