// The field schemas the mail, SMS and dev-outbox sections share: how a variable's text is read, and
// what makes one optional, required, defaulted, a bounded whole number, or safe in an HTTP header.

import * as z from "zod";

/**
 * A variable's text, trimmed. Unset, blank and non-string (a binding) all read as absent. Optional
 * as input, so an unset variable reaches the schemas below, which decide whether it may be.
 */
export const text = z
  .unknown()
  .optional()
  .transform((value) => (typeof value === "string" && value.trim() !== "" ? value.trim() : undefined));

export function optional<T extends z.ZodType<unknown, string>>(format: T) {
  return text.pipe(format.optional());
}

/** `message` says when it is needed, e.g. "is required for MAIL_PROVIDER mailgun". */
export function required<T extends z.ZodType<unknown, string>>(format: T, message: string) {
  return text.pipe(z.string({ error: message })).pipe(format);
}

export function withDefault<T extends z.ZodType<unknown, string>>(format: T, fallback: string) {
  return text.transform((value) => value ?? fallback).pipe(format);
}

/** Milliseconds and the like: digits only, within min..max, `fallback` when unset. */
export function wholeNumber(min: number, max: number, fallback: number) {
  const number = z
    .string()
    .refine((value) => /^\d+$/.test(value) && Number(value) >= min && Number(value) <= max, {
      message: `must be a whole number ${min}..${max}`,
    })
    .transform(Number);
  return withDefault(number, String(fallback));
}

/** Keys, tokens and account ids travel in a header or a form body: only visible ASCII can be valid. */
export const headerSafe = z.string().regex(/^[\x21-\x7e]+$/, "must be printable ASCII without spaces");

/** "true" or "false" (nothing else), `fallback` when unset, as a boolean. */
export function trueOrFalse(fallback: "true" | "false") {
  return withDefault(z.enum(["true", "false"], { error: "must be true or false" }), fallback).transform(
    (value) => value === "true",
  );
}

/** A comma list: its items trimmed, empty ones dropped (unset: none). */
export const commaList = text.transform((value) =>
  (value ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean),
);
