// The import's resume state: the batches that finished (batches.mjs names them by line range and
// digest), each with its counts and its rejected rows' errors, so a resumed run skips them yet still
// reports them whole. Kept as JSON Lines, one line appended per finished batch: a crash mid-write
// loses at most that last line, and re-sending that batch is harmless because the import is
// idempotent. The file holds no row data (line indexes and error codes only); it is removed when a
// run finishes every batch.

import { appendFileSync, existsSync, readFileSync, rmSync, truncateSync } from "node:fs";
import { basename } from "node:path";

export class StateError extends Error {}

const VERSION = 1;

const parseLine = (text) => {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
};

function readFinished(statePath, file) {
  const finished = new Map();
  let bytes = readFileSync(statePath);
  const firstBreak = bytes.indexOf(0x0a);
  // Judged before anything is changed: a file this CLI did not write is left exactly as it is.
  const header = firstBreak < 0 ? undefined : parseLine(bytes.subarray(0, firstBreak).toString("utf8"));
  if (header?.edge_auth_import_state !== VERSION)
    throw new StateError(`${statePath} is not a state file this CLI wrote`);
  if (header.file !== basename(file))
    throw new StateError(`${statePath} belongs to ${header.file}: give another --state, or delete it`);
  // A last line without its line break is a write cut short by a crash: that batch is simply sent
  // again. It is cut off the file too, so the next append starts on a line of its own.
  const end = bytes.lastIndexOf(0x0a) + 1;
  if (end < bytes.length) {
    truncateSync(statePath, end);
    bytes = bytes.subarray(0, end);
  }
  const lines = bytes.toString("utf8").split("\n");
  for (let i = 1; i < lines.length; i++) {
    const text = lines[i] ?? "";
    if (text === "") continue;
    const entry = parseLine(text);
    if (typeof entry?.key !== "string") throw new StateError(`${statePath}: line ${i + 1} is damaged`);
    finished.set(entry.key, entry);
  }
  return finished;
}

/**
 * The state at `statePath` for importing `file` (fresh when absent): `finished` maps batch keys to
 * `{ created, unchanged, rejected: [[index, error], …] }`.
 */
export function openState(statePath, file) {
  const finished = existsSync(statePath) ? readFinished(statePath, file) : new Map();
  return {
    finished,
    markDone(key, entry) {
      const line = `${JSON.stringify({ key, ...entry })}\n`;
      const header = `${JSON.stringify({ edge_auth_import_state: VERSION, file: basename(file) })}\n`;
      // The header goes with the first entry in one write.
      appendFileSync(statePath, existsSync(statePath) ? line : header + line);
      finished.set(key, entry);
    },
    remove() {
      rmSync(statePath, { force: true });
    },
  };
}
