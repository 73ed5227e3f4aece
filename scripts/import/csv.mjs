// A small streaming RFC 4180 CSV parser for the import CLI: reads chunks as they come (never the whole
// file) and yields one record at a time with the physical line it starts on. Handles quoted fields,
// escaped quotes (""), commas and line breaks inside quotes (kept as "\n"), CRLF or LF line ends and a
// leading UTF-8 BOM. A malformed record is yielded as an error with its line and parsing goes on at
// the next line, so one bad line is one reject, not a lost file. No Node imports: the workerd tests
// parse the example files with it too.

const FIELD_START = 0;
const UNQUOTED = 1;
const QUOTED = 2;
/** A quote seen inside a quoted field: it closes the field, or escapes a second quote. */
const QUOTE_IN_QUOTED = 3;
/** After a malformed record: everything up to the next line break belongs to it. */
const SKIPPING = 4;

/**
 * Records of `chunks` (an async iterable of strings) as `{ line, fields, end }`, or `{ line, error,
 * end }` for a malformed one; `line` is 1-based, `end` the characters read up to the record's end
 * (for the progress). A blank line yields nothing.
 */
export async function* parseCsv(chunks) {
  let state = FIELD_START;
  let field = "";
  let fields = [];
  let line = 1;
  let recordLine = 1;
  let error = null;
  let afterCr = false;
  let first = true;
  /** Characters of the chunks before the current one. */
  let before = 0;

  const endField = () => {
    fields.push(field);
    field = "";
  };
  /** The record that ends here, or null for a blank line; then resets for the next one. */
  const endRecord = (end) => {
    let record = null;
    if (error !== null) record = { line: recordLine, error, end };
    else if (state !== FIELD_START || fields.length > 0) {
      endField();
      record = { line: recordLine, fields, end };
    }
    fields = [];
    field = "";
    error = null;
    state = FIELD_START;
    return record;
  };
  const fail = (reason) => {
    error = reason;
    state = SKIPPING;
  };

  for await (const raw of chunks) {
    let chunk = raw;
    if (first && chunk.length > 0) {
      if (chunk.charCodeAt(0) === 0xfeff) chunk = chunk.slice(1);
      first = false;
    }
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk[i];
      // The LF of a CRLF pair: the CR already ended the line.
      if (afterCr) {
        afterCr = false;
        if (ch === "\n") continue;
      }
      const lineBreak = ch === "\r" || ch === "\n";
      if (lineBreak) afterCr = ch === "\r";
      if (state === QUOTED) {
        if (ch === '"') state = QUOTE_IN_QUOTED;
        else if (lineBreak) {
          field += "\n";
          line++;
        } else field += ch;
        continue;
      }
      if (state === QUOTE_IN_QUOTED && ch === '"') {
        field += '"';
        state = QUOTED;
        continue;
      }
      if (lineBreak) {
        const record = endRecord(before + i + 1);
        if (record) yield record;
        line++;
        recordLine = line;
        continue;
      }
      if (state === SKIPPING) continue;
      if (ch === ",") {
        endField();
        state = FIELD_START;
      } else if (state === QUOTE_IN_QUOTED) fail("text after a closing quote");
      else if (ch === '"') {
        if (state === FIELD_START) state = QUOTED;
        else fail("a quote inside an unquoted field");
      } else {
        field += ch;
        state = UNQUOTED;
      }
    }
    before += chunk.length;
  }
  if (state === QUOTED) {
    const error = "a quote opened and never closed (the rest of the file is inside it)";
    yield { line: recordLine, error, end: before };
    return;
  }
  const record = endRecord(before);
  if (record) yield record;
}
