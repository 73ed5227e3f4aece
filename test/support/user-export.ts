// Helpers for the export suites: one page of GET /v1/admin/users/export read as JSON lines with its
// next cursor, every page followed to the end, and a cursor placed just before a moment, so a test
// reads only the users it made (the suites share one D1 full of other files' users).
import { expect } from "vitest";
import { encodeCursor } from "../../src/services/admin-cursor";
import { adminCall } from "./admin";

export type ExportLine = Record<string, unknown> & { id: string; email: string };

export interface ExportPageRead {
  response: Response;
  lines: ExportLine[];
  text: string;
  next: string | null;
}

export async function exportPage(apiKey: string, query: Record<string, string> = {}): Promise<ExportPageRead> {
  const search = new URLSearchParams(query).toString();
  const response = await adminCall(apiKey, "GET", `/v1/admin/users/export${search ? `?${search}` : ""}`);
  // Decoded from bytes: workerd warns when .text() reads a type it does not know as text.
  const text = new TextDecoder().decode(await response.arrayBuffer());
  expect(response.status, text).toBe(200);
  expect(response.headers.get("Content-Type")).toBe("application/x-ndjson; charset=utf-8");
  // Every line ends in "\n", and each one is a JSON object on its own.
  if (text !== "") expect(text.endsWith("\n")).toBe(true);
  const lines =
    text === ""
      ? []
      : text
          .slice(0, -1)
          .split("\n")
          .map((line) => JSON.parse(line) as ExportLine);
  return { response, lines, text, next: response.headers.get("Edge-Auth-Next-Cursor") };
}

/** A cursor before every user created at `seconds` or later (the export starts strictly after it). */
export function cursorBefore(seconds: number): string {
  return encodeCursor({ createdAt: seconds - 1, id: "~" });
}

/** Follows the cursor from `cursor` to the last page; `between` runs after each page but the last. */
export async function exportFrom(
  apiKey: string,
  cursor: string,
  limit: number,
  between: () => Promise<void> = async () => {},
): Promise<{ lines: ExportLine[]; text: string; pages: number }> {
  const lines: ExportLine[] = [];
  let text = "";
  let pages = 0;
  for (let next: string | null = cursor; next !== null; ) {
    const page = await exportPage(apiKey, { cursor: next, limit: String(limit) });
    lines.push(...page.lines);
    text += page.text;
    pages++;
    next = page.next;
    if (next !== null) await between();
  }
  return { lines, text, pages };
}
