// Reads a request body safely: size-limited before parsing, JSON or form only, one value per key,
// then validated by the route's schema. Every failure is a Failure with a stable code.

import type { Context } from "hono";
import type * as z from "zod";
import { AppError, type Failure, type FieldIssue } from "../../errors";

/** Far above any valid request here; bounds memory and hashing work before anything is parsed. */
export const MAX_BODY_BYTES = 16 * 1024;

/** Stateless between calls (never `stream: true`), so one serves every request of the isolate. */
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

function refuse(code: Failure["code"], message?: string, field = "body"): never {
  throw new AppError({ code, ...(message ? { issues: [{ field, message }] } : {}) });
}

async function readLimitedText(request: Request, maxBytes = MAX_BODY_BYTES): Promise<string> {
  const declared = request.headers.get("Content-Length");
  if (declared !== null && Number(declared) > maxBytes) refuse("payload_too_large");
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      refuse("payload_too_large");
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return UTF8.decode(bytes);
  } catch {
    return refuse("malformed_body", "is not valid UTF-8");
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return refuse("malformed_body", "is not valid JSON");
  }
}

function parseForm(text: string): Record<string, string> {
  // A Map, not `obj[key] = value`: assigning `__proto__` would be dropped silently instead of refused.
  const fields = new Map<string, string>();
  for (const [key, value] of new URLSearchParams(text)) {
    if (fields.has(key)) refuse("invalid_request", "is repeated", key);
    fields.set(key, value);
  }
  return Object.fromEntries(fields);
}

function mediaTypeOf(request: Request): string {
  return (request.headers.get("Content-Type") ?? "").split(";")[0]?.trim().toLowerCase() ?? "";
}

/** The raw body as an object; an absent body counts as `{}` when `optional`; `maxBytes` for a bulk route. */
export async function readBodyObject(
  c: Context,
  optional = false,
  maxBytes = MAX_BODY_BYTES,
): Promise<Record<string, unknown>> {
  const request = c.req.raw;
  const mediaType = mediaTypeOf(request);
  const text = await readLimitedText(request, maxBytes);
  if (text.length === 0 && optional) return {};
  if (mediaType === "application/json") {
    const value = parseJson(text);
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      refuse("invalid_request", "must be a JSON object");
    }
    return value as Record<string, unknown>;
  }
  if (mediaType === "application/x-www-form-urlencoded") return parseForm(text);
  return refuse("unsupported_media_type");
}

export function toFieldIssues(error: z.ZodError): FieldIssue[] {
  return error.issues.flatMap((issue): FieldIssue[] => {
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ field: [...issue.path, key].join("."), message: "is not an accepted field" }));
    }
    if (issue.code === "invalid_union" && issue.errors.length > 0) {
      // A union of request shapes: report the shape closest to what was sent.
      const closest = [...issue.errors].sort((a, b) => a.length - b.length)[0] ?? [];
      return toFieldIssues({ issues: closest } as unknown as z.ZodError);
    }
    return [{ field: issue.path.join(".") || "body", message: issue.message }];
  });
}

/** Reads and validates the body against `schema`; throws AppError(invalid_request) listing each field. */
export async function readBody<T extends z.ZodType>(c: Context, schema: T, optional = false): Promise<z.infer<T>> {
  const raw = await readBodyObject(c, optional);
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new AppError({ code: "invalid_request", issues: toFieldIssues(parsed.error) });
  return parsed.data;
}
