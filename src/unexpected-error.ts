// What a thrown error (one no service returned as a Result) may tell a caller, and what the log may
// keep of it: a storage outage is service_unavailable, since it may pass; anything else internal_error.

import { ConfigError } from "./config";

export type UnexpectedFailureCode = "service_unavailable" | "internal_error";

export interface UnexpectedFailure {
  code: UnexpectedFailureCode;
  /** For the log only: error names and the innermost message, never SQL parameters or config values. */
  reason: string;
}

export function classifyUnexpectedError(error: unknown): UnexpectedFailure {
  // A ConfigError names the variable and what is wrong with it, never its value (src/config.ts).
  if (error instanceof ConfigError) return { code: "internal_error", reason: `${error.name}: ${error.message}` };
  const chain = causesOf(error);
  // The innermost cause is the storage's own error. Outer messages are not kept: drizzle's
  // "Failed query" repeats the SQL and its parameters, which may be hashes or tokens.
  const root = chain.at(-1);
  const wrappers = chain.slice(0, -1).map((cause) => `${cause.name} <- `);
  const reason = root ? `${wrappers.join("")}${root.name}: ${root.message}` : "non-error thrown";
  const unavailable = chain.some((cause) => /D1_|SQLITE_BUSY|KV|network/i.test(cause.message));
  return { code: unavailable ? "service_unavailable" : "internal_error", reason };
}

/** The error and its causes, outermost first (drizzle wraps D1's error as the cause of its own). */
function causesOf(error: unknown): Error[] {
  const chain: Error[] = [];
  for (let current = error; current instanceof Error && chain.length < 8; current = current.cause) chain.push(current);
  return chain;
}
