// Fuzzing NAP's flow routes against a live flow (test/dialect-nap-fuzz.test.ts walks them with
// unknown flow ids): any body, content type and orgId for POST /api/auth/flow/{flowId}/org, and
// flow ids near the real one. Never a 5xx, every refusal NAP's models.ErrorResponse with `code` the
// status, and the flow only ever spent for one of its user's own organizations.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ErrorModel, napCall } from "./support/dialect-nap";
import { flowRowsOf, memberOfOrgs } from "./support/flows";
import { readJson } from "./support/http";

const SEED = 20_261_202;

const orgIdValue = fc.oneof(
  fc.uuid(),
  fc.string({ maxLength: 80 }),
  fc.integer(),
  fc.constant(null),
  fc.array(fc.uuid(), { maxLength: 2 }),
  fc.object({ maxDepth: 1 }),
);
const body = fc.oneof(
  fc.record({ orgId: orgIdValue }),
  fc.dictionary(fc.string({ maxLength: 12 }), orgIdValue, { maxKeys: 3 }),
  fc.string({ maxLength: 200 }),
);
const contentType = fc.constantFrom("application/json", "text/plain", "application/x-www-form-urlencoded", "");

async function expectNapAnswer(response: Response, label: string): Promise<number> {
  expect(response.status, label).toBeLessThan(500);
  if (response.status === 200) return 200;
  const parsed = ErrorModel.safeParse(await readJson(response));
  expect(parsed.success, label).toBe(true);
  expect(parsed.data?.code, label).toBe(response.status);
  return response.status;
}

describe("fuzzing NAP's flow routes with a live flow", () => {
  it("POST /api/auth/flow/{flowId}/org: never 5xx, NAP's errors, spent only for an own organization", async () => {
    const { account, orgs } = await memberOfOrgs(2);
    const login = await napCall("POST", "/api/auth/login", {
      json: { email: account.email, password: account.password },
    });
    const { flowId } = await readJson<{ flowId: string }>(login);
    const own = new Set(orgs.map((org) => org.id));
    await fc.assert(
      fc.asyncProperty(body, contentType, async (payload, type) => {
        const text = typeof payload === "string" ? payload : JSON.stringify(payload);
        const response = await napCall("POST", `/api/auth/flow/${flowId}/org`, { body: text, contentType: type });
        const status = await expectNapAnswer(response, `${type} ${text}`);
        const row = (await flowRowsOf(account.userId))[0];
        if (status === 200) expect(own.has(String(row?.organization_id))).toBe(true);
        else if (row?.consumed_at === null) expect(row.organization_id).toBeNull();
      }),
      { numRuns: 80, seed: SEED },
    );
  }, 60_000);

  it("GET /api/auth/flow/{flowId} with ids near a live one: never 5xx, 400 Flow not found", async () => {
    const { account } = await memberOfOrgs(2);
    const login = await napCall("POST", "/api/auth/login", {
      json: { email: account.email, password: account.password },
    });
    const { flowId } = await readJson<{ flowId: string }>(login);
    const near = fc.oneof(
      fc
        .integer({ min: 0, max: 42 })
        .map((i) => `${flowId.slice(0, i)}${flowId[i] === "A" ? "B" : "A"}${flowId.slice(i + 1)}`),
      fc.string({ unit: fc.constantFrom(..."ABCabc019-_"), minLength: 1, maxLength: 300 }),
      fc.constant(flowId.toUpperCase()),
    );
    await fc.assert(
      fc.asyncProperty(near, async (id) => {
        fc.pre(id !== flowId);
        const response = await napCall("GET", `/api/auth/flow/${encodeURIComponent(id)}`);
        expect(await expectNapAnswer(response, id)).toBe(400);
      }),
      { numRuns: 60, seed: SEED + 1 },
    );
    expect((await napCall("GET", `/api/auth/flow/${flowId}`)).status).toBe(200);
  }, 60_000);
});
