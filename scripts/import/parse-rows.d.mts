// Types of parse-rows.mjs, so the TypeScript tests read the example files with it without @ts-expect-error.

export interface RowError {
  code: string;
  field?: string;
  reason: string;
}

/** `end` (CSV only): the characters read up to the end of this row. */
export type ParsedRow =
  | { line: number; end?: number; row: Record<string, unknown>; error?: undefined }
  | { line: number; end?: number; error: RowError; row?: Record<string, unknown> };

export const ROW_FIELDS: Set<string>;
export class CsvHeaderError extends Error {}
export function checkRow(row: unknown): RowError | null;
export function parseJsonLine(line: number, text: string): ParsedRow | null;
export function parseCsvRows(chunks: AsyncIterable<string> | Iterable<string>): AsyncGenerator<ParsedRow>;
