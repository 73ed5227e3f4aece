// The organization email-domain routes and the suggestions list in /openapi.json (src/routes/openapi.ts).
import type { Operation } from "./openapi";
import "./org-domain-schemas";

const P = "Problem";

export const ORG_DOMAIN_OPERATIONS: Operation[] = [
  {
    method: "post",
    path: "/v1/orgs/{id}/domains",
    summary: "Add an email domain (not a public mail domain); answers the TXT record to publish (owner, admin)",
    secured: true,
    body: "OrgDomainAddRequest",
    responses: { 201: "OrgDomain", 403: P, 404: P, 409: P },
  },
  {
    method: "get",
    path: "/v1/orgs/{id}/domains",
    summary: "The organization's email domains and their verification records (owner, admin)",
    secured: true,
    responses: { 200: "OrgDomainList", 403: P, 404: P },
  },
  {
    method: "post",
    path: "/v1/orgs/{id}/domains/{domainId}/verify",
    summary: "Check the TXT record at _edge-auth.<domain> over DNS-over-HTTPS; a verified domain has one organization",
    secured: true,
    responses: { 200: "OrgDomain", 403: P, 404: P, 409: P, 503: P },
  },
  {
    method: "patch",
    path: "/v1/orgs/{id}/domains/{domainId}",
    summary: "Set the policy (auto_join, suggest, restrict) and the default role",
    secured: true,
    body: "OrgDomainUpdateRequest",
    responses: { 200: "OrgDomain", 403: P, 404: P },
  },
  {
    method: "delete",
    path: "/v1/orgs/{id}/domains/{domainId}",
    summary: "Remove an email domain (its members stay members)",
    secured: true,
    responses: { 204: null, 403: P, 404: P },
  },
  {
    method: "get",
    path: "/v1/me/org-suggestions",
    summary: "Organizations whose verified suggest domain is the caller's verified address's",
    secured: true,
    responses: { 200: "OrgSuggestionList" },
  },
];
