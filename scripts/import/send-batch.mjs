// One import call (POST /v1/admin/users/import) and what it means for the run: the server's answer
// (checked against the batch: one result per row, in order), a refusal of the whole call (401, 403,
// 400, 413…: the run stops, retrying cannot help), a failure after the retries ran out, or an abort.

import { batchBody } from "./batches.mjs";
import { describeRefusal, endpoint, requestWithRetry } from "./http.mjs";

export const IMPORT_PATH = "/v1/admin/users/import";
const STATUSES = new Set(["created", "unchanged", "rejected"]);

/** The 200 body as an import answer for `rows` rows, or null when it is not one. */
function answerOf(text, rows, dryRun) {
  let answer;
  try {
    answer = JSON.parse(text);
  } catch {
    return null;
  }
  const results = answer?.results;
  if (!Array.isArray(results) || results.length !== rows || answer.dry_run !== dryRun) return null;
  const inOrder = results.every(
    (result, i) =>
      result?.index === i &&
      STATUSES.has(result.status) &&
      (result.status !== "rejected" || typeof result.error?.code === "string"),
  );
  return inOrder ? answer : null;
}

/**
 * Sends `batch`. Answers `{ kind: "answered", results }`, `{ kind: "refused", message }`,
 * `{ kind: "failed", message }` or `{ kind: "aborted" }`.
 */
export async function sendBatch(batch, { url, key, dryRun, retry }) {
  const outcome = await requestWithRetry(
    endpoint(url, IMPORT_PATH),
    {
      method: "POST",
      headers: {
        Authorization: `Bearer ${key}`,
        "Content-Type": "application/json",
        Accept: "application/json",
        "User-Agent": "edge-auth-import",
      },
      body: batchBody(batch, dryRun),
    },
    retry,
  );
  if (outcome.aborted) return { kind: "aborted" };
  if (outcome.error) return { kind: "failed", message: outcome.error };
  if (outcome.status !== 200) {
    const hint = outcome.status === 401 || outcome.status === 403 ? " (is the key an admin key of this server?)" : "";
    return {
      kind: "refused",
      message: `the server refused the import: ${describeRefusal(outcome.status, outcome.text)}${hint}`,
    };
  }
  const answer = answerOf(outcome.text, batch.rows.length, dryRun);
  if (!answer)
    return { kind: "refused", message: "the server's answer is not an import answer (is --url an edge-auth server?)" };
  return { kind: "answered", results: answer.results };
}
