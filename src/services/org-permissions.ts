// Who may do what in an organization: the one table (the README repeats it). A route's service asks
// `mayAct` for the caller's role, and `mayManageRole` when the action touches another member's role.

export const ORG_ROLES = ["owner", "admin", "member"] as const;
export type OrgRole = (typeof ORG_ROLES)[number];

export type OrgAction =
  | "read"
  | "list_members"
  | "update"
  | "delete"
  | "invite"
  | "manage_invitations"
  | "change_role"
  | "remove_member"
  | "manage_domains"
  | "manage_api_keys"
  | "leave";

/** The table: each action and the roles allowed it. */
export const ORG_PERMISSIONS: Readonly<Record<OrgAction, readonly OrgRole[]>> = {
  read: ["owner", "admin", "member"],
  list_members: ["owner", "admin", "member"],
  update: ["owner", "admin"],
  delete: ["owner"],
  invite: ["owner", "admin"],
  manage_invitations: ["owner", "admin"],
  change_role: ["owner", "admin"],
  remove_member: ["owner", "admin"],
  manage_domains: ["owner", "admin"],
  manage_api_keys: ["owner", "admin"],
  leave: ["owner", "admin", "member"],
};

export function mayAct(role: OrgRole, action: OrgAction): boolean {
  return ORG_PERMISSIONS[action].includes(role);
}

/**
 * Whether `actor` may touch a member holding (or grant) `role`: an owner any role, an admin only
 * admins and members (never an owner, never making one). The last owner is guarded in D1 besides.
 */
export function mayManageRole(actor: OrgRole, role: OrgRole): boolean {
  return actor === "owner" || role !== "owner";
}

export const isOrgRole = (value: unknown): value is OrgRole => ORG_ROLES.includes(value as OrgRole);
