// Sign-in flows: a login of a user with two or more organizations (active memberships of live
// organizations) answers a flow instead of tokens. The flow is a D1 record (256-bit id, stored as its
// SHA-256; 10 minutes; single use) of what is still due: the choice of an organization, and the
// second factor when the account has one. Choosing consumes the flow in one statement that also
// checks the membership; with a second factor due it answers an MFA challenge that carries the
// organization, so no path reaches tokens without both. 0 or 1 organization: a login as before.

import { generateId, generateOpaqueToken, sha256Base64Url } from "../crypto/random";
import { fail, type Result, succeed } from "../errors";
import { listActiveMemberships, type OrgMembership } from "../storage/org-store";
import type { SignInFlowRow } from "../storage/schema";
import { consumeSignInFlow, findOpenSignInFlow, insertSignInFlow } from "../storage/sign-in-flow-store";
import { findUserById } from "../storage/user-store";
import { type LoginInput, type LoginOptions, logInThen } from "./account-service";
import type { ClientInfo, RequestScope, ServiceContext } from "./context";
import { recordedUserAgent } from "./input-limits";
import { parseStringList } from "./json-list";
import {
  availableMfaMethods,
  createMfaChallenge,
  type FirstFactorExtras,
  finishFirstFactor,
  type LoginOutcome,
  type MfaMethod,
  mfaMethodsOf,
} from "./mfa-service";
import { isDisabled, toUser } from "./model";
import { openSession } from "./session-opening";
import { recordSignInSucceeded } from "./sign-in-events";

export const SIGN_IN_FLOW_TTL_SECONDS = 600;
/** A flow id is 43 characters; anything much longer is not ours and is not hashed. */
const MAX_FLOW_ID_LENGTH = 128;
/** NAP's flowReturnTo is kept as the client's note, within this bound. */
export const MAX_RETURN_TO_LENGTH = 2048;

export type FlowStep = "org" | "mfa";

export interface FlowOutcome {
  kind: "flow";
  flowId: string;
  due: FlowStep[];
  organizations: OrgMembership[];
  expiresIn: number;
}

export interface FlowStart extends FirstFactorExtras {
  /** A client's note handed back with the flow (NAP's flowReturnTo); never followed here. */
  returnTo?: string;
  /** How many organizations the user counts in, when read with the user: fewer than two reads none. */
  activeOrganizations?: number;
}

/** After a first factor: a flow for two or more organizations, else what finishFirstFactor answers. */
export async function finishFirstFactorOrFlow(
  context: ServiceContext,
  user: Parameters<typeof finishFirstFactor>[1],
  client: ClientInfo,
  amr: string[],
  extras: FlowStart = {},
): Promise<LoginOutcome | FlowOutcome> {
  const { hasConfirmedTotp: known, alongside = [], returnTo, activeOrganizations } = extras;
  const firstFactorOnly = { hasConfirmedTotp: known, alongside };
  if (activeOrganizations !== undefined && activeOrganizations < 2)
    return finishFirstFactor(context, user, client, amr, firstFactorOnly);
  const organizations = await listActiveMemberships(context.db, user.id);
  if (organizations.length < 2) return finishFirstFactor(context, user, client, amr, firstFactorOnly);
  const methods = known === undefined ? await availableMfaMethods(context, user) : mfaMethodsOf(user, known);
  const due: FlowStep[] = methods.length > 0 ? ["org", "mfa"] : ["org"];
  const flowId = generateOpaqueToken();
  const now = context.now();
  const flow = {
    id: generateId(),
    tokenHash: await sha256Base64Url(flowId),
    userId: user.id,
    due: JSON.stringify(due),
    mfaMethods: JSON.stringify(methods),
    amr: JSON.stringify(amr),
    rotatesRefreshToken: client.rotatesRefreshToken ?? true,
    returnTo: returnTo ? returnTo.slice(0, MAX_RETURN_TO_LENGTH) : null,
    userAgent: recordedUserAgent(client.userAgent),
    ip: client.ip,
    createdAt: now,
    expiresAt: now + SIGN_IN_FLOW_TTL_SECONDS,
  };
  // With the login's own writes (the clearing of its failures): one round trip, all or nothing.
  await insertSignInFlow(context.db, flow, alongside);
  return { kind: "flow", flowId, due, organizations, expiresIn: SIGN_IN_FLOW_TTL_SECONDS };
}

/** A password login that answers a flow for a user with several organizations (native and NAP). */
export function logInOrStartFlow(
  context: ServiceContext,
  input: LoginInput,
  client: ClientInfo,
  options: LoginOptions = {},
  scope?: RequestScope,
  returnTo?: string,
): Promise<Result<LoginOutcome | FlowOutcome>> {
  const finish = (
    c: ServiceContext,
    user: Parameters<typeof finishFirstFactor>[1],
    cl: ClientInfo,
    amr: string[],
    extras: FirstFactorExtras,
  ) => finishFirstFactorOrFlow(c, user, cl, amr, { ...extras, returnTo });
  return logInThen(finish, context, input, client, options, scope);
}

export interface SignInFlowView {
  flow: SignInFlowRow;
  due: FlowStep[];
  email: string;
  organizations: OrgMembership[];
}

async function flowHash(flowId: string): Promise<string | undefined> {
  if (flowId.length === 0 || flowId.length > MAX_FLOW_ID_LENGTH) return undefined;
  return sha256Base64Url(flowId);
}

/** What an open flow still needs, and the organizations it offers (read now: a suspension shows at once). */
export async function describeSignInFlow(context: ServiceContext, flowId: string): Promise<Result<SignInFlowView>> {
  const tokenHash = await flowHash(flowId);
  const flow = tokenHash && (await findOpenSignInFlow(context.db, tokenHash, context.now()));
  if (!flow) return fail("flow_not_found", { reason: "unknown, used or expired flow" });
  const user = await findUserById(context.db, flow.userId);
  if (!user || isDisabled(user)) return fail("flow_not_found", { reason: "account gone or disabled" });
  const organizations = await listActiveMemberships(context.db, flow.userId);
  return succeed({ flow, due: parseStringList(flow.due) as FlowStep[], email: user.email, organizations });
}

/**
 * Finishes the organization step: consumes the flow for an organization its user is an active member
 * of, then opens a session scoped to it, or (a second factor due) answers an MFA challenge carrying it.
 */
export async function chooseFlowOrganization(
  context: ServiceContext,
  flowId: string,
  organizationId: string,
  client: ClientInfo,
  scope?: RequestScope,
): Promise<Result<LoginOutcome>> {
  const tokenHash = await flowHash(flowId);
  if (!tokenHash) return fail("flow_not_found", { reason: "flow id of impossible length" });
  const now = context.now();
  const flow = await consumeSignInFlow(context.db, { tokenHash, organizationId, now });
  if (!flow) {
    // A wrong choice leaves the flow open: organization ids are no secret, the flow id is.
    const stillOpen = await findOpenSignInFlow(context.db, tokenHash, now);
    if (stillOpen) return fail("org_not_found", { reason: "no active membership of a live organization" });
    return fail("flow_not_found", { reason: "unknown, used or expired flow" });
  }
  const user = await findUserById(context.db, flow.userId);
  if (!user || isDisabled(user)) return fail("flow_not_found", { reason: "account gone or disabled" });
  const amr = parseStringList(flow.amr);
  // The session takes the shape the login's request asked for (kept on the flow).
  const sessionClient = { ...client, rotatesRefreshToken: flow.rotatesRefreshToken };
  // The factors as they are now, or those the login saw: a second factor is never skipped.
  const current = await availableMfaMethods(context, user);
  const methods = current.length > 0 ? current : (parseStringList(flow.mfaMethods) as MfaMethod[]);
  if (methods.length > 0) {
    const pending = { methods, amr, organizationId };
    const { mfaToken, expiresIn } = await createMfaChallenge(context, user, sessionClient, pending);
    return succeed({ kind: "mfa_required", mfaToken, methods, expiresIn });
  }
  const tokens = await openSession(context, user, sessionClient, amr, { organizationId });
  recordSignInSucceeded(context, scope, user.id, tokens);
  return succeed({ kind: "session", user: toUser(user), tokens });
}
