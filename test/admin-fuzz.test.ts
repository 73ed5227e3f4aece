// Fuzzing (fast-check) the admin routes past their gate: with a working admin key, random query
// strings, path ids and bodies. Whatever arrives: never a 5xx, every 4xx a problem document with a
// stable code and no stack trace, and a refused action leaves its account as it was.
import { exports } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { signUp } from "./support/accounts";
import { ADMIN_ROUTES, issueAdminKey, pathFor, userRow } from "./support/admin";
import { buildRequest } from "./support/http";

const SEED = 20_261_202;
const QUERY_NAMES = ["email", "id", "created_after", "created_before", "cursor", "limit", "__proto__", "x"];

const anyText = fc.string({ unit: "grapheme", maxLength: 80 });
const queryValue = fc.oneof(
  anyText,
  fc.constantFrom("2026-01-01T00:00:00Z", "0", "100", "101", "-1", "1e3", "WzEsIngiXQ", "a@b.co", ""),
);
const query = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom(...QUERY_NAMES), anyText), queryValue), { maxLength: 5 })
  .map((pairs) => (pairs.length === 0 ? "" : `?${new URLSearchParams(pairs).toString()}`));
const body = fc.oneof(
  fc.constant(undefined),
  fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)),
  anyText,
);
const pathId = (victim: string) =>
  fc.oneof(fc.constant(victim), fc.uuid(), anyText.filter((text) => text.length > 0).map(encodeURIComponent));

describe("admin routes with a working key", () => {
  for (const [method, template] of ADMIN_ROUTES) {
    // DELETE would remove the victim on its first run; the actions that change nothing harmful run on it.
    it(`${method} ${template}: never 5xx, every 4xx a problem`, { timeout: 60_000 }, async () => {
      const admin = await issueAdminKey();
      const victim = await signUp();
      const victimId = template === "/v1/admin/users/:id" && method === "DELETE" ? crypto.randomUUID() : victim.userId;
      await fc.assert(
        fc.asyncProperty(pathId(victimId), query, body, fc.boolean(), async (id, search, text, asJson) => {
          const path = `${pathFor(template, id)}${search}`;
          const options = {
            token: admin.apiKey,
            ...(text === undefined || method === "GET"
              ? {}
              : { body: text, contentType: asJson ? "application/json" : "text/plain" }),
          };
          const response = await exports.default.fetch(buildRequest(method, path, options));
          const label = `${method} ${path}`;
          expect(response.status, label).toBeLessThan(500);
          const answer = await response.text();
          expect(answer, label).not.toMatch(/\n\s+at |\bsrc\/|\.ts:\d|SQLITE|D1_|Failed query/);
          if (response.status < 400) return;
          expect(response.headers.get("Content-Type"), label).toBe("application/problem+json");
          const problem = JSON.parse(answer) as { code: string; status: number };
          expect(problem.status, label).toBe(response.status);
          expect(problem.code, label).toMatch(/^[a-z_]+$/);
        }),
        { numRuns: 40, seed: SEED },
      );
      // Only the disable route may have disabled the victim; nothing deleted it.
      if (!template.endsWith("/disable")) expect((await userRow(victim.userId))?.disabled_at ?? null).toBeNull();
      expect(await userRow(victim.userId)).not.toBeNull();
    });
  }
});
