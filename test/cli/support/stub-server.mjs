// A node:http stand-in for edge-auth's admin import and export endpoints, for the CLI tests: it checks
// the Bearer key, answers POST /v1/admin/users/import one result per row the way the real route does
// (created, then unchanged for the same email; a row whose email has "+taken" is rejected
// email_taken; more than 500 rows, or than 10 with a plaintext password, is 400 batch_too_large), and pages GET /v1/admin/users/export by cursor with Edge-Auth-Next-Cursor. Every
// request is recorded; `intercept` may answer any call first (a 429, a 503, a delay) to script faults.

import { createServer } from "node:http";

export const TEST_KEY = "ea_sk_TestKeyTestKeyTestKeyTestKey0123_abc123";

const problem = (status, code, title) => ({
  status,
  headers: { "Content-Type": "application/problem+json" },
  body: JSON.stringify({ type: "about:blank", status, code, title }),
});

/**
 * Starts the stub on a free port. `users` are the export's users; `intercept(call)` may answer a call
 * (`{ status, headers?, body? }`, `{ hangUp: true }` to drop the connection, or a promise of either)
 * before the stub does, where `call` is
 * `{ method, path, query, headers, body, json, count }` and `count` numbers the calls to that path.
 */
export async function startStubServer({ users = [], intercept = () => undefined } = {}) {
  const calls = [];
  const imported = new Map();
  const counters = new Map();

  const importAnswer = (json) => {
    if (!Array.isArray(json?.users) || json.users.length === 0) return problem(400, "invalid_request", "bad body");
    if (json.users.length > 500) return problem(400, "batch_too_large", "at most 500 rows");
    if (json.users.filter((row) => "password" in row).length > 10)
      return problem(400, "batch_too_large", "at most 10 plaintext rows");
    const dryRun = json.dry_run === true;
    const results = json.users.map((row, index) => {
      if (String(row.email).includes("+taken")) {
        return { index, status: "rejected", error: { code: "email_taken", field: "email", reason: "is taken" } };
      }
      if (imported.has(row.email)) return { index, status: "unchanged", user_id: imported.get(row.email) };
      const id = `user-${imported.size + 1}`;
      if (!dryRun) imported.set(row.email, id);
      return { index, status: "created", user_id: id };
    });
    const count = (status) => results.filter((result) => result.status === status).length;
    const answer = { results, created: count("created"), unchanged: count("unchanged"), rejected: count("rejected") };
    return { status: 200, body: JSON.stringify({ ...answer, dry_run: dryRun }) };
  };

  const exportAnswer = (query) => {
    const start = query.get("cursor") ? Number(query.get("cursor")) : 0;
    const limit = Number(query.get("limit") ?? 1000);
    const page = users.slice(start, start + limit);
    const next = start + limit < users.length ? { "Edge-Auth-Next-Cursor": String(start + limit) } : {};
    return {
      status: 200,
      headers: { "Content-Type": "application/x-ndjson; charset=utf-8", ...next },
      body: page.map((user) => `${JSON.stringify(user)}\n`).join(""),
    };
  };

  const answer = async (call) => {
    const scripted = await intercept(call);
    if (scripted) return scripted;
    if (call.headers.authorization !== `Bearer ${TEST_KEY}`) return problem(401, "invalid_api_key", "Invalid API key");
    if (call.method === "POST" && call.path === "/v1/admin/users/import") return importAnswer(call.json);
    if (call.method === "GET" && call.path === "/v1/admin/users/export") return exportAnswer(call.query);
    return problem(404, "not_found", "Not found");
  };

  const server = createServer(async (request, response) => {
    const chunks = [];
    for await (const chunk of request) chunks.push(chunk);
    const url = new URL(request.url ?? "/", "http://stub.test");
    const body = Buffer.concat(chunks).toString("utf8");
    let json = null;
    try {
      json = body === "" ? null : JSON.parse(body);
    } catch {
      json = null;
    }
    const count = (counters.get(url.pathname) ?? 0) + 1;
    counters.set(url.pathname, count);
    const call = {
      method: request.method,
      path: url.pathname,
      query: url.searchParams,
      headers: request.headers,
      body,
      json,
      count,
    };
    calls.push(call);
    const answered = await answer(call);
    if (response.destroyed) return;
    if (answered.hangUp) {
      request.socket.destroy();
      return;
    }
    const { status, headers = {}, body: answerBody = "" } = answered;
    response.writeHead(status, { "Content-Type": "application/json", ...headers });
    response.end(answerBody);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    /** The import calls' row batches, in the order they arrived. */
    importBatches: () =>
      calls.filter((call) => call.path === "/v1/admin/users/import").map((call) => call.json?.users ?? []),
    imported,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
