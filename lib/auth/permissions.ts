/**
 * Who may do what: console roles and per-profile share levels, as one table. Client-safe (the UI
 * hides what a user may not do) and enforced on the server by lib/auth/access.ts on every action,
 * route and page. Pure functions: the permission tests walk this whole table.
 */
export const ROLES = ["owner", "admin", "editor", "viewer"] as const;
export type Role = (typeof ROLES)[number];

export const SHARE_LEVELS = ["use", "edit", "manage"] as const;
export type ShareLevel = (typeof SHARE_LEVELS)[number];

export const roleLabels: Record<Role, string> = { owner: "Owner", admin: "Admin", editor: "Editor", viewer: "Viewer" };
export const levelLabels: Record<ShareLevel, string> = { use: "Use", edit: "Edit", manage: "Manage" };
export const levelDescriptions: Record<ShareLevel, string> = {
  use: "see the configuration without secrets and run Test",
  edit: "change it and replace secrets",
  manage: "share it and delete it",
};

const levelRank: Record<ShareLevel, number> = { use: 1, edit: 2, manage: 3 };

export const atLeast = (level: ShareLevel | null, needed: ShareLevel) => level !== null && levelRank[level] >= levelRank[needed];

export const isAdmin = (role: Role) => role === "owner" || role === "admin";

/** Console-wide abilities by role. */
export const roleAbilities = {
  createProfile: (role: Role) => role !== "viewer",
  manageUsers: (role: Role) => isAdmin(role),
  viewAudit: (role: Role) => isAdmin(role),
  useCertificates: (role: Role) => role !== "viewer",
  exportPrivateKey: (role: Role) => isAdmin(role),
  importProfiles: (role: Role) => role !== "viewer",
} as const;

/** What each profile operation needs. */
export const PROFILE_ACTIONS = {
  view: "use",
  test: "use",
  history: "use",
  export: "use",
  duplicate: "use",
  edit: "edit",
  restore: "edit",
  share: "manage",
  delete: "manage",
  // an encrypted export carries the secrets: whoever chooses its passphrase can read them back
  exportSecrets: "manage",
} as const satisfies Record<string, ShareLevel>;
export type ProfileAction = keyof typeof PROFILE_ACTIONS;

export interface Actor {
  id: string;
  role: Role;
}

export interface ProfileAccessFacts {
  ownerId: string | null;
  /** shares that name this user or everyone ("*") */
  shares: { granteeKey: string; level: ShareLevel }[];
}

/** The user's level on one profile: owners and admins manage everything; others get the best share. */
export function effectiveLevel(actor: Actor, profile: ProfileAccessFacts): ShareLevel | null {
  if (isAdmin(actor.role) || profile.ownerId === actor.id) return "manage";
  let best: ShareLevel | null = null;
  for (const share of profile.shares) {
    if (share.granteeKey !== actor.id && share.granteeKey !== "*") continue;
    if (!atLeast(best, share.level)) best = share.level;
  }
  return best;
}

export function canOnProfile(actor: Actor, profile: ProfileAccessFacts, action: ProfileAction): boolean {
  if (action === "duplicate" && !roleAbilities.createProfile(actor.role)) return false;
  return atLeast(effectiveLevel(actor, profile), PROFILE_ACTIONS[action]);
}
