// Import rows out of text, each with the line it starts on: a JSON line, or a CSV record read against
// the header. Checked locally for shape only (an object, an email, the contract's field names, not
// both `password` and `password_hash`), so a broken line is reported with its number without a round
// trip; the server judges everything else. No Node imports: the workerd tests read the example files
// with it, exactly as the CLI does.

import { parseCsv } from "./csv.mjs";

/**
 * The contract's row fields (README "Importing and exporting users"); `factors`, `updated_at` are read-only.
 * The server's list is IMPORT_ROW_FIELDS (src/services/user-import-rows.ts); test/import-examples.test.ts
 * keeps the two equal.
 */
export const ROW_FIELDS = new Set([
  "id",
  "email",
  "email_verified",
  "username",
  "name",
  "first_name",
  "last_name",
  "phone",
  "phone_verified",
  "created_at",
  "legacy_id",
  "password_hash",
  "password",
  "totp_secret",
  "disabled",
  "identities",
  "factors",
  "updated_at",
]);
const BOOLEAN_FIELDS = new Set(["email_verified", "phone_verified", "disabled"]);
const JSON_FIELDS = new Set(["identities", "factors"]);
const INTEGER_FIELDS = new Set(["created_at", "updated_at"]);
const BOOLEAN_CELLS = new Map([
  ["true", true],
  ["1", true],
  ["false", false],
  ["0", false],
]);

/** A CSV header the CLI refuses as a whole (every row under it would be refused the same way). */
export class CsvHeaderError extends Error {}

const invalid = (field, reason) => ({ code: "invalid_row", ...(field ? { field } : {}), reason });

/** Why `row` cannot be sent, or null. */
export function checkRow(row) {
  if (row === null || typeof row !== "object" || Array.isArray(row)) return invalid(null, "is not a JSON object");
  const unknown = Object.keys(row).find((name) => !ROW_FIELDS.has(name));
  if (unknown !== undefined) return invalid(unknown, "is not a known field");
  if (typeof row.email !== "string" || row.email.trim() === "") return invalid("email", "is required");
  if (row.password !== undefined && row.password_hash !== undefined)
    return invalid("password", "give password or password_hash, not both");
  return null;
}

/** One JSON line as `{ line, row }` or `{ line, error, row? }`; null for a blank line. */
export function parseJsonLine(line, text) {
  if (text.trim() === "") return null;
  let row;
  try {
    row = JSON.parse(text);
  } catch {
    return { line, error: { code: "invalid_json", reason: "is not valid JSON" } };
  }
  const error = checkRow(row);
  if (!error) return { line, row };
  // Only an object can be shown (redacted) in the rejects file.
  return row !== null && typeof row === "object" && !Array.isArray(row) ? { line, error, row } : { line, error };
}

/** A CSV cell as the contract reads it: booleans, integer times, JSON cells, else text. */
function cellValue(name, text) {
  if (BOOLEAN_FIELDS.has(name)) {
    const value = BOOLEAN_CELLS.get(text.trim().toLowerCase());
    return value === undefined ? { error: invalid(name, "is not true, false, 1 or 0") } : { value };
  }
  if (INTEGER_FIELDS.has(name) && /^[0-9]+$/.test(text.trim())) return { value: Number(text.trim()) };
  if (JSON_FIELDS.has(name)) {
    try {
      return { value: JSON.parse(text) };
    } catch {
      return { error: invalid(name, "is not valid JSON") };
    }
  }
  return { value: text };
}

/** The field names of a header record, or a CsvHeaderError. */
function headerOf(record) {
  if (record.error) throw new CsvHeaderError(`line ${record.line}: the header is not valid CSV: ${record.error}`);
  const names = record.fields.map((name) => name.trim());
  const seen = new Set();
  for (const name of names) {
    if (!ROW_FIELDS.has(name)) throw new CsvHeaderError(`line ${record.line}: header "${name}" is not a known field`);
    if (seen.has(name)) throw new CsvHeaderError(`line ${record.line}: header "${name}" is given twice`);
    seen.add(name);
  }
  return names;
}

/**
 * Rows of a CSV file given as string chunks: `{ line, end, row }` or `{ line, end, error, row? }`
 * (`end`: characters read so far). The first record names the fields; an empty cell is an absent
 * field. Throws CsvHeaderError for a bad header.
 */
export async function* parseCsvRows(chunks) {
  let header = null;
  for await (const record of parseCsv(chunks)) {
    if (header === null) {
      header = headerOf(record);
      continue;
    }
    const { line, end } = record;
    if (record.error) {
      yield { line, end, error: { code: "invalid_csv", reason: record.error } };
      continue;
    }
    if (record.fields.length !== header.length) {
      const reason = `has ${record.fields.length} fields, the header ${header.length}`;
      yield { line, end, error: { code: "invalid_csv", reason } };
      continue;
    }
    const row = {};
    let error = null;
    header.forEach((name, i) => {
      const text = record.fields[i] ?? "";
      if (text === "" || error) return;
      const cell = cellValue(name, text);
      if (cell.error) error = cell.error;
      else row[name] = cell.value;
    });
    error ??= checkRow(row);
    yield error ? { line, end, error, row } : { line, end, row };
  }
}
