// The import's answer in the native API's snake_case (also RPC importUsers'): never a password, hash or secret.
import type { ImportOutcome, ImportResult } from "../services/user-import";

export interface ImportResultView {
  index: number;
  status: ImportResult["status"];
  user_id?: string;
  error?: { code: string; field?: string; reason: string };
}

export interface ImportOutcomeView {
  results: ImportResultView[];
  created: number;
  unchanged: number;
  rejected: number;
  dry_run: boolean;
}

function toResultView(result: ImportResult): ImportResultView {
  if (result.status === "rejected") {
    const { code, field, reason } = result.error;
    return { index: result.index, status: "rejected", error: { code, ...(field ? { field } : {}), reason } };
  }
  return { index: result.index, status: result.status, ...(result.userId ? { user_id: result.userId } : {}) };
}

export function toImportOutcomeView(outcome: ImportOutcome): ImportOutcomeView {
  const { results, created, unchanged, rejected, dryRun } = outcome;
  return { results: results.map(toResultView), created, unchanged, rejected, dry_run: dryRun };
}
