// NAP with organizations (../shared/DIALECTS.md C; issue 13): a login of a user in several
// organizations answers {message, flowId, requireEmailVerification:false} and no tokens; GET
// /api/auth/flow/{flowId} answers handlers.UserFlowData (orgs as models.OrgCompat, RFC 3339 times);
// POST /api/auth/flow/{flowId}/org {orgId} answers the login result with organization-scoped tokens.

import { describe, expect, it } from "vitest";
import * as z from "zod";
import { claimsOf, sessionRowCount } from "./support/accounts";
import { advanceClock, freezeClock } from "./support/clock";
import { expectModel, expectNapError, jwtOf, LoginResultModel, napCall } from "./support/dialect-nap";
import { markVerified, memberOfOrgs } from "./support/flows";
import { signUpWithTotp } from "./support/totp";

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const FlowStartedModel = z.strictObject({
  message: z.string().min(1),
  flowId: z.string().regex(/^[\w-]{43}$/),
  requireEmailVerification: z.literal(false),
});
const OrgCompatModel = z.strictObject({
  id: z.uuid(),
  name: z.string(),
  slug: z.string(),
  settings: z.record(z.string(), z.unknown()),
  createdAt: z.string().regex(RFC3339),
  updatedAt: z.string().regex(RFC3339),
});
const FlowDataModel = z.strictObject({
  id: z.string(),
  type: z.literal("login"),
  userId: z.uuid(),
  email: z.string(),
  orgs: z.array(OrgCompatModel),
  mfaRequired: z.boolean(),
  mfaVerified: z.boolean(),
  returnTo: z.string().optional(),
  createdAt: z.string().regex(RFC3339),
  expiresAt: z.string().regex(RFC3339),
});

const napLogin = (email: string, password: string, flowReturnTo?: string) =>
  napCall("POST", "/api/auth/login", { json: { email, password, ...(flowReturnTo ? { flowReturnTo } : {}) } });
const flowData = (flowId: string) => napCall("GET", `/api/auth/flow/${flowId}`);
const chooseOrg = (flowId: string, orgId: unknown) =>
  napCall("POST", `/api/auth/flow/${flowId}/org`, { json: { orgId } });

async function napFlow(count = 2, flowReturnTo?: string) {
  const { account, orgs } = await memberOfOrgs(count);
  const started = await expectModel(
    await napLogin(account.email, account.password, flowReturnTo),
    200,
    FlowStartedModel,
  );
  return { account, orgs, flowId: started.flowId };
}

describe("NAP login of a user in several organizations", () => {
  it("answers {message, flowId, requireEmailVerification:false}, no tokens and no session", async () => {
    const { account } = await napFlow();
    expect(await sessionRowCount(account.userId)).toBe(1);
  });

  it("GET /api/auth/flow/{flowId}: UserFlowData with the orgs as OrgCompat, RFC 3339 times and returnTo", async () => {
    const { account, orgs, flowId } = await napFlow(2, "/dashboard?tab=1");
    const data = await expectModel(await flowData(flowId), 200, FlowDataModel);
    expect(data).toMatchObject({
      id: flowId,
      userId: account.userId,
      email: account.email,
      returnTo: "/dashboard?tab=1",
    });
    expect(data).toMatchObject({ mfaRequired: false, mfaVerified: false });
    expect(data.orgs.map((org) => org.id).sort()).toEqual(orgs.map((org) => org.id).sort());
    expect(data.orgs[0]).toMatchObject({ name: "Acme", settings: {} });
    expect(Date.parse(data.expiresAt) - Date.parse(data.createdAt)).toBe(600_000);
  });

  it("POST /api/auth/flow/{flowId}/org: the login result with tokens scoped to that organization, once", async () => {
    const { account, orgs, flowId } = await napFlow();
    const chosen = orgs[0];
    if (!chosen) throw new Error("no org");
    const result = await expectModel(await chooseOrg(flowId, chosen.id), 200, LoginResultModel);
    const claims = claimsOf(jwtOf(result.tokens.session_token));
    expect(claims).toMatchObject({ sub: account.userId, org: chosen.id, role: "owner", org_slug: chosen.slug });
    expect(result.tokens.session_id).toBe(claims.sid);
    await expectNapError(await chooseOrg(flowId, chosen.id), 400, "Flow not found");
    await expectNapError(await flowData(flowId), 400, "Flow not found");
    expect(await sessionRowCount(account.userId)).toBe(2);
  });

  it("50 parallel choices: one login result, every other answer 400 Flow not found", async () => {
    const { account, orgs, flowId } = await napFlow();
    const responses = await Promise.all(Array.from({ length: 50 }, () => chooseOrg(flowId, orgs[1]?.id)));
    expect(responses.filter((response) => response.status === 200)).toHaveLength(1);
    for (const response of responses.filter((r) => r.status !== 200))
      await expectNapError(response, 400, "Flow not found");
    expect(await sessionRowCount(account.userId)).toBe(2);
  });

  it("unknown or expired flows answer 400 Flow not found; another user's organization 403, the flow kept", async () => {
    freezeClock();
    const { orgs, flowId } = await napFlow();
    const stranger = await memberOfOrgs(1);
    await expectNapError(await chooseOrg(flowId, stranger.orgs[0]?.id), 403);
    expect((await flowData(flowId)).status).toBe(200);
    await expectNapError(await flowData(crypto.randomUUID()), 400, "Flow not found");
    await expectNapError(await chooseOrg("A".repeat(43), orgs[0]?.id), 400, "Flow not found");
    await expectNapError(await chooseOrg(flowId, "not-an-id"), 400, /orgId/);
    await expectNapError(await napCall("POST", `/api/auth/flow/${flowId}/org`, { json: {} }), 400, /orgId/);
    advanceClock(600);
    await expectNapError(await flowData(flowId), 400, "Flow not found");
    await expectNapError(await chooseOrg(flowId, orgs[0]?.id), 400, "Flow not found");
  });

  it("an account with a second factor gets NAP's 401 and no flow it could finish without it", async () => {
    const account = await signUpWithTotp();
    await markVerified(account.userId);
    await memberOfOrgs(2, account);
    await expectNapError(await napLogin(account.email, account.password), 401, /second factor/);
    expect(await sessionRowCount(account.userId)).toBe(1);
  });

  it("a user with one organization logs in with tokens as before", async () => {
    const { account } = await memberOfOrgs(1);
    await expectModel(await napLogin(account.email, account.password), 200, LoginResultModel);
  });
});
