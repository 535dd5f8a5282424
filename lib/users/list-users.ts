import "server-only";
import { requireAbility } from "@/lib/auth/access";
import { ROLES, type Role } from "@/lib/auth/permissions";
import type { CurrentUser } from "@/lib/auth/session";
import { slowedAccounts, throttleAccountKey, type AccountThrottle } from "@/lib/auth/sign-in-throttle";
import { prisma } from "@/lib/db/client";
import { userLabel } from "@/lib/users/managed-user";
import { ASSIGNABLE_ROLES, type AssignableRole } from "@/lib/users/rules";

export interface UserListItem {
  id: string;
  name: string;
  email: string;
  role: Role;
  disabled: boolean;
  createdAt: string;
  lastSignInAt: string | null;
  /** some address has failed to sign in to this account often enough to be slowed (null: none) */
  signInSlowed: AccountThrottle | null;
  /** what a removal would hand to the owner */
  profilesOwned: number;
  certificatesCreated: number;
}

export interface PendingInvitation {
  id: string;
  email: string;
  name: string;
  role: AssignableRole;
  createdAt: string;
  expiresAt: string;
  expired: boolean;
  invitedBy: string | null;
}

const NOT_ALLOWED = "Only the console owner and admins can manage users.";
const roleOrder: Record<Role, number> = { owner: 0, admin: 1, editor: 2, viewer: 3 };

/** Every console user, owner first, then by role and name. */
export async function listUsers(actor: CurrentUser): Promise<UserListItem[]> {
  requireAbility(actor, "manageUsers", NOT_ALLOWED);
  const rows = await prisma.user.findMany({
    select: {
      id: true,
      name: true,
      email: true,
      role: true,
      disabled: true,
      createdAt: true,
      _count: { select: { profiles: true, certificates: true } },
    },
  });
  // Last sign-in comes from the audit log, not Session: sessions are deleted on sign-out, expiry,
  // disable and password reset, while "auth.sign_in" events stay. One grouped query on (actorId, at).
  const lastSignIns = await prisma.auditEvent.groupBy({
    by: ["actorId"],
    where: { action: "auth.sign_in", actorId: { in: rows.map((r) => r.id) } },
    _max: { at: true },
  });
  const lastById = new Map(lastSignIns.map((g) => [g.actorId, g._max.at]));
  const slowed = await slowedAccounts(rows.map((r) => r.email));
  return rows
    .map((row) => ({
      id: row.id,
      name: row.name,
      email: row.email,
      role: ROLES.includes(row.role as Role) ? (row.role as Role) : "viewer",
      disabled: row.disabled,
      createdAt: row.createdAt.toISOString(),
      lastSignInAt: lastById.get(row.id)?.toISOString() ?? null,
      signInSlowed: slowed.get(throttleAccountKey(row.email)) ?? null,
      profilesOwned: row._count.profiles,
      certificatesCreated: row._count.certificates,
    }))
    .sort(
      (a, b) =>
        roleOrder[a.role] - roleOrder[b.role] || a.name.localeCompare(b.name, "en") || a.email.localeCompare(b.email, "en"),
    );
}

/** Invitations not yet accepted (expired ones too, so an admin sees why a link stopped working). */
export async function listPendingInvitations(actor: CurrentUser): Promise<PendingInvitation[]> {
  requireAbility(actor, "manageUsers", NOT_ALLOWED);
  const rows = await prisma.invitation.findMany({
    where: { acceptedAt: null },
    orderBy: { createdAt: "desc" },
    select: { id: true, email: true, name: true, role: true, createdAt: true, expiresAt: true, createdById: true },
  });
  const inviterIds = [...new Set(rows.map((r) => r.createdById).filter((id): id is string => id !== null))];
  const inviters = await prisma.user.findMany({
    where: { id: { in: inviterIds } },
    select: { id: true, name: true, email: true },
  });
  const inviterById = new Map(inviters.map((u) => [u.id, userLabel(u)]));
  const now = Date.now();
  return rows.map((row) => ({
    id: row.id,
    email: row.email,
    name: row.name,
    role: ASSIGNABLE_ROLES.includes(row.role as AssignableRole) ? (row.role as AssignableRole) : "viewer",
    createdAt: row.createdAt.toISOString(),
    expiresAt: row.expiresAt.toISOString(),
    expired: row.expiresAt.getTime() <= now,
    invitedBy: row.createdById ? (inviterById.get(row.createdById) ?? null) : null,
  }));
}
