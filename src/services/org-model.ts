// The organization records services hand to the front doors (routes, dialects), so those never
// import storage: a membership with its organization, a member with their account, an invitation and
// an email domain, as the stores read them.
export type { MemberRecord } from "../storage/org-membership-store";
export type { OrgMembership } from "../storage/org-store";
export type { InvitationRow as Invitation, OrgDomainRow as OrgDomain } from "../storage/schema";
