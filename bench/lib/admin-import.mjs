// The admin calls the import scenarios make: an admin key minted over RPC by the bench consumer
// (bench/rpc-consumer's POST /bench/admin-key, the one way such a key is made), a batch sent to
// POST /v1/admin/users/import, and the export read back. The key is held in memory, never printed.
import { signUpOne } from "./edge-auth.mjs";
import { callJson, nextClientIp } from "./traffic.mjs";

/** An `admin` key for a fresh operator account, signed up through the consumer (which forwards to edge-auth). */
export async function mintAdminKey(origin) {
  const { accessToken } = await signUpOne(origin, "import-operator");
  const { body } = await callJson(origin, "POST", "/bench/admin-key", {
    headers: { authorization: `Bearer ${accessToken}` },
  });
  if (typeof body?.api_key !== "string") throw new Error("the consumer answered no admin key");
  return body.api_key;
}

/** A batch's request body, serialized before any timing starts. */
export const importBody = (users) => ({ text: JSON.stringify({ users, dry_run: false }), rows: users.length });

/**
 * One import call of an `importBody`; answers its latency, or throws on anything but every row
 * created (with the first refusal's code: row data and keys never reach the message).
 */
export async function importBatch(origin, apiKey, body) {
  const started = performance.now();
  const response = await fetch(`${origin}/v1/admin/users/import`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${apiKey}`,
      "cf-connecting-ip": nextClientIp(),
    },
    body: body.text,
    signal: AbortSignal.timeout(120_000),
  });
  const answer = await response.json().catch(() => null);
  const ms = performance.now() - started;
  const rows = body.rows;
  if (response.status !== 200 || answer?.created !== rows) {
    const refusal = answer?.results?.find((result) => result.status !== "created")?.error?.code ?? answer?.code;
    throw new Error(`import answered ${response.status}, ${answer?.created ?? 0}/${rows} created (${refusal})`);
  }
  return ms;
}

/** Every exported user's email and whether its stored hash is ours (`$scrypt$`), page by page. */
export async function exportedHashKinds(origin, apiKey) {
  const kinds = new Map();
  let cursor = null;
  for (let page = 0; page < 1000; page++) {
    const query = cursor ? `?limit=1000&cursor=${encodeURIComponent(cursor)}` : "?limit=1000";
    const response = await fetch(`${origin}/v1/admin/users/export${query}`, {
      headers: { authorization: `Bearer ${apiKey}`, "cf-connecting-ip": nextClientIp() },
      signal: AbortSignal.timeout(60_000),
    });
    if (response.status !== 200) throw new Error(`export answered ${response.status}`);
    for (const line of (await response.text()).split("\n")) {
      if (!line) continue;
      const user = JSON.parse(line);
      kinds.set(user.email, user.password_hash?.startsWith("$scrypt$") ? "ours" : "imported");
    }
    cursor = response.headers.get("edge-auth-next-cursor");
    if (!cursor) return kinds;
  }
  throw new Error("export did not end within 1000 pages");
}
