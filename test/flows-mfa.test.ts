// Sign-in flows and the second factor: a user with TOTP and several organizations chooses the
// organization first, then meets the MFA step; no path reaches tokens without both. And nothing is
// half-written when D1 fails inside the batch that stores the flow or opens the session.
import { afterEach, describe, expect, it } from "vitest";
import { claimsOf, sessionRowCount } from "./support/accounts";
import { dropAllFaults, injectFault } from "./support/faults";
import { chooseOrg, flowRowsOf, login, markVerified, memberOfOrgs, readFlow, startFlow } from "./support/flows";
import { call, expectProblem, readJson } from "./support/http";
import { failureRowOf } from "./support/throttle";
import {
  challengeRowsOf,
  completeMfa,
  holdTotpStep,
  type MfaRequiredAnswer,
  signUpWithTotp,
  totpCode,
  wrongTotpCode,
} from "./support/totp";

afterEach(dropAllFaults);

async function totpUserInOrgs() {
  const account = await signUpWithTotp();
  await markVerified(account.userId);
  const { orgs } = await memberOfOrgs(2, account);
  return { account, orgs };
}

describe("a flow with a second factor due", () => {
  it("offers org then mfa; choosing answers the MFA step, whose completion answers org-scoped tokens", async () => {
    holdTotpStep();
    const { account, orgs } = await totpUserInOrgs();
    const chosen = orgs[1];
    if (!chosen) throw new Error("no org");
    const flow = await startFlow(account.email);
    expect(flow.due).toEqual(["org", "mfa"]);
    expect(await challengeRowsOf(account.userId)).toEqual([]);
    expect((await readJson(await readFlow(flow.flow_id))).due).toEqual(["org", "mfa"]);

    const step = await chooseOrg(flow.flow_id, chosen.id);
    expect(step.status).toBe(200);
    const mfa = await readJson<MfaRequiredAnswer>(step);
    expect(mfa).toMatchObject({ mfa_required: true, methods: ["totp", "recovery_code"] });
    expect(await sessionRowCount(account.userId)).toBe(1);

    const done = await completeMfa(mfa.mfa_token, { code: await totpCode(account.secret) });
    expect(done.status).toBe(200);
    const claims = claimsOf(String((await readJson(done)).access_token));
    expect(claims).toMatchObject({ sub: account.userId, org: chosen.id, role: "owner", org_slug: chosen.slug });
    expect(claims.amr).toEqual(expect.arrayContaining(["pwd", "otp", "mfa"]));
    expect(await sessionRowCount(account.userId)).toBe(2);
  });

  it("cannot be skipped: the flow is spent at the MFA step, a wrong code opens nothing, the flow id is no MFA token", async () => {
    holdTotpStep();
    const { account, orgs } = await totpUserInOrgs();
    const flow = await startFlow(account.email);
    const mfa = await readJson<MfaRequiredAnswer>(await chooseOrg(flow.flow_id, orgs[0]?.id ?? ""));
    // Choosing again (the other organization, say) does not reopen a way around the factor.
    await expectProblem(await chooseOrg(flow.flow_id, orgs[1]?.id ?? ""), 404, "flow_not_found");
    await expectProblem(
      await completeMfa(mfa.mfa_token, { code: await wrongTotpCode(account.secret) }),
      400,
      "invalid_mfa_code",
    );
    await expectProblem(
      await completeMfa(flow.flow_id, { code: await totpCode(account.secret) }),
      401,
      "invalid_mfa_token",
    );
    expect(await sessionRowCount(account.userId)).toBe(1);
    // The MFA token is no flow id either.
    await expectProblem(await chooseOrg(mfa.mfa_token, orgs[0]?.id ?? ""), 404, "flow_not_found");
  });

  it("parallel choices of a TOTP user's flow make one MFA challenge", async () => {
    const { account, orgs } = await totpUserInOrgs();
    const flow = await startFlow(account.email);
    const responses = await Promise.all(Array.from({ length: 20 }, () => chooseOrg(flow.flow_id, orgs[0]?.id ?? "")));
    expect(responses.filter((response) => response.status === 200)).toHaveLength(1);
    expect(await challengeRowsOf(account.userId)).toHaveLength(1);
  });
});

describe("nothing half-written when D1 fails", () => {
  it("a failed flow insert rolls back the clearing of the login's failures: 503, no flow", async () => {
    const { account } = await memberOfOrgs(2);
    expect((await login(account.email, "not the passphrase at all")).status).toBe(401);
    const before = await failureRowOf({ email: account.email });
    expect(before?.failures).toBeGreaterThan(0);
    await injectFault("fail_flow_insert", "BEFORE INSERT", "sign_in_flows");
    await expectProblem(await login(account.email), 503, "service_unavailable");
    expect(await flowRowsOf(account.userId)).toEqual([]);
    expect((await failureRowOf({ email: account.email }))?.failures).toBeGreaterThanOrEqual(before?.failures ?? 1);
    expect(await sessionRowCount(account.userId)).toBe(1);
  });

  it("a failed session batch leaves no session and no refresh token; a new login works", async () => {
    const { account, orgs } = await memberOfOrgs(2);
    const flow = await startFlow(account.email);
    await injectFault("fail_refresh_insert", "BEFORE INSERT", "refresh_tokens");
    await expectProblem(await chooseOrg(flow.flow_id, orgs[0]?.id ?? ""), 503, "service_unavailable");
    expect(await sessionRowCount(account.userId)).toBe(1);
    await dropAllFaults();
    // The spent flow stays spent (the id was used); the person logs in again.
    await expectProblem(await chooseOrg(flow.flow_id, orgs[0]?.id ?? ""), 404, "flow_not_found");
    const again = await startFlow(account.email);
    expect((await chooseOrg(again.flow_id, orgs[0]?.id ?? "")).status).toBe(200);
  });

  it("a failed MFA challenge insert opens nothing", async () => {
    const { account, orgs } = await totpUserInOrgs();
    const flow = await startFlow(account.email);
    await injectFault("fail_challenge_insert", "BEFORE INSERT", "mfa_challenges");
    await expectProblem(await chooseOrg(flow.flow_id, orgs[0]?.id ?? ""), 503, "service_unavailable");
    expect(await challengeRowsOf(account.userId)).toEqual([]);
    expect(await sessionRowCount(account.userId)).toBe(1);
    const sessions = await call("GET", "/v1/sessions", { token: account.tokens.access_token });
    expect((await readJson<{ sessions: unknown[] }>(sessions)).sessions).toHaveLength(1);
  });
});
