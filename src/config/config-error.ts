// How a refused configuration is reported: one ConfigError whose message names each bad variable and
// what is wrong with it, never its value (several variables are secrets).

import type * as z from "zod";

export class ConfigError extends Error {
  override readonly name = "ConfigError";
}

/** One section of the env read by its schema: its typed value, or the problems that refuse it. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; problems: string[] };

/** "VARIABLE what is wrong" per issue. Zod's messages describe the rule, never the input. */
export function problemsOf(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${String(issue.path[0] ?? "env")} ${issue.message}`);
}

export function parseSection<T>(schema: z.ZodType<T>, env: Record<string, unknown>): Parsed<T> {
  const parsed = schema.safeParse(env);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, problems: problemsOf(parsed.error) };
}

export function valueOrThrow<T>(parsed: Parsed<T>): T {
  if (!parsed.ok) throw new ConfigError(`invalid configuration: ${parsed.problems.join("; ")}`);
  return parsed.value;
}
