// The organization routes in /openapi.json (src/routes/openapi.ts).
import type { Operation } from "./openapi";
import "./org-schemas";

const P = "Problem";

export const ORG_OPERATIONS: Operation[] = [
  {
    method: "post",
    path: "/v1/orgs",
    summary: "Create an organization; the caller becomes its owner",
    secured: true,
    body: "OrgCreateRequest",
    responses: { 201: "Organization", 409: P },
  },
  {
    method: "get",
    path: "/v1/orgs",
    summary: "The organizations the caller is an active member of",
    secured: true,
    responses: { 200: "OrganizationList" },
  },
  {
    method: "get",
    path: "/v1/orgs/{id}",
    summary: "One organization (404 for a non-member: ids reveal nothing)",
    secured: true,
    responses: { 200: "Organization", 404: P },
  },
  {
    method: "patch",
    path: "/v1/orgs/{id}",
    summary: "Update name, slug or settings (owner, admin)",
    secured: true,
    body: "OrgUpdateRequest",
    responses: { 200: "Organization", 403: P, 404: P, 409: P },
  },
  {
    method: "delete",
    path: "/v1/orgs/{id}",
    summary: "Delete the organization (owner); its scoped tokens are denylisted",
    secured: true,
    responses: { 204: null, 403: P, 404: P },
  },
  {
    method: "get",
    path: "/v1/orgs/{id}/members",
    summary: "The members and their roles",
    secured: true,
    responses: { 200: "OrgMemberList", 404: P },
  },
  {
    method: "patch",
    path: "/v1/orgs/{id}/members/{userId}",
    summary: "Change a member's role, or suspend or reactivate them (never the last owner)",
    secured: true,
    body: "OrgMemberUpdateRequest",
    responses: { 200: "OrgRoleChanged", 403: P, 404: P, 409: P },
  },
  {
    method: "delete",
    path: "/v1/orgs/{id}/members/{userId}",
    summary: "Remove a member; their organization-scoped tokens are denylisted",
    secured: true,
    responses: { 204: null, 403: P, 404: P, 409: P },
  },
  {
    method: "post",
    path: "/v1/orgs/{id}/leave",
    summary: "Leave the organization (not as its last owner)",
    secured: true,
    responses: { 204: null, 404: P, 409: P },
  },
  {
    method: "post",
    path: "/v1/orgs/{id}/invitations",
    summary: "Invite an email with a role (mailed: a link and a code, 7 days)",
    secured: true,
    body: "OrgInviteRequest",
    responses: { 201: "Invitation", 403: P, 404: P, 503: P },
  },
  {
    method: "get",
    path: "/v1/orgs/{id}/invitations",
    summary: "Pending invitations (owner, admin)",
    secured: true,
    responses: { 200: "InvitationList", 403: P, 404: P },
  },
  {
    method: "delete",
    path: "/v1/orgs/{id}/invitations/{invitationId}",
    summary: "Revoke a pending invitation",
    secured: true,
    responses: { 204: null, 403: P, 404: P },
  },
  {
    method: "post",
    path: "/v1/orgs/{id}/invitations/{invitationId}/resend",
    summary: "Mail a new token (the old one stops working), 7 days from now",
    secured: true,
    responses: { 200: "Invitation", 403: P, 404: P, 503: P },
  },
  {
    method: "post",
    path: "/v1/invitations/accept",
    summary: "Accept an invitation: the caller's verified email must be the invited one",
    secured: true,
    body: "InvitationAcceptRequest",
    responses: { 200: "InvitationAccepted", 400: P, 403: P, 409: P },
  },
  {
    method: "post",
    path: "/v1/session/org",
    summary: "Scope this session to an organization: an access token with org, role, org_slug",
    secured: true,
    body: "SessionOrgRequest",
    responses: { 200: "ScopedTokenResponse", 404: P },
  },
];
