// The import file as a stream of rows: JSON Lines through node:readline, CSV through csv.mjs, each row
// with the line it starts on (parse-rows.mjs). Reads 64 KiB at a time and is pulled, never pushed, so
// a file of any size costs only the batches in flight. `bytesRead()` is how far the rows handed out
// reach into the file (not how far the disk reads ran ahead): the progress estimates the total by it.

import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { parseCsvRows, parseJsonLine } from "./parse-rows.mjs";

export const formatOf = (path) => (/\.csv$/i.test(path) ? "csv" : "jsonl");

async function* jsonLines(input, consumed) {
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  for await (const raw of lines) {
    line++;
    consumed.bytes += Buffer.byteLength(raw) + 1;
    const parsed = parseJsonLine(line, line === 1 ? raw.replace(/^\uFEFF/, "") : raw);
    if (parsed) yield parsed;
  }
}

async function* csvRows(input, consumed) {
  // The parser counts characters; the chunks seen so far give their ratio to bytes.
  const seen = { chars: 0, bytes: 0 };
  async function* counted() {
    for await (const chunk of input) {
      seen.chars += chunk.length;
      seen.bytes += Buffer.byteLength(chunk);
      yield chunk;
    }
  }
  for await (const item of parseCsvRows(counted())) {
    consumed.bytes = seen.chars === 0 ? 0 : Math.round((item.end * seen.bytes) / seen.chars);
    yield item;
  }
}

/** The rows of the file at `path`: `{ line, row }` or `{ line, error, row? }`. */
export function readRows(path) {
  const csv = formatOf(path) === "csv";
  const input = createReadStream(path, { highWaterMark: 64 * 1024, ...(csv ? { encoding: "utf8" } : {}) });
  const consumed = { bytes: 0 };
  return {
    rows: csv ? csvRows(input, consumed) : jsonLines(input, consumed),
    bytesRead: () => consumed.bytes,
    close: () => input.destroy(),
  };
}
