// The rejects file: one JSON line per refused row, `{"line":N,"error":{code,field,reason},"row":…}`,
// so a team can fix the source and run again. The row is shown without its secrets: the values of
// password, password_hash and totp_secret, and of any field not in the contract (a misspelt
// "pasword" holds a password too), are replaced by "[redacted]"; a line that could not be parsed
// shows `row: null`, since its text may hold anything. Every run rewrites the file whole (a resumed
// run restores the earlier batches' rejects from the state), and a run without rejects leaves none.

import { closeSync, openSync, rmSync, writeSync } from "node:fs";
import { ROW_FIELDS } from "./parse-rows.mjs";

export const REDACTED = "[redacted]";
const SECRET_FIELDS = new Set(["password", "password_hash", "totp_secret"]);

/** `row` with every secret value (and every unknown field's value) replaced by "[redacted]". */
export function redactRow(row) {
  const shown = {};
  for (const [name, value] of Object.entries(row)) {
    shown[name] = ROW_FIELDS.has(name) && !SECRET_FIELDS.has(name) ? value : REDACTED;
  }
  return shown;
}

/** A writer for the rejects file at `path`, created (owner-only: it names users) at the first reject. */
export function openRejectsFile(path) {
  let fd = null;
  let count = 0;
  return {
    get count() {
      return count;
    },
    /** `{ line, error: { code, field?, reason }, row? }`. */
    write({ line, error, row }) {
      fd ??= openSync(path, "w", 0o600);
      const entry = {
        line,
        error: { code: error.code, field: error.field ?? null, reason: error.reason },
        row: row === undefined ? null : redactRow(row),
      };
      writeSync(fd, `${JSON.stringify(entry)}\n`);
      count++;
    },
    close() {
      if (fd !== null) closeSync(fd);
      else rmSync(path, { force: true });
    },
  };
}
