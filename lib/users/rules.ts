/**
 * Who may do what to which console user, as pure functions of the two roles — the user-management
 * counterpart of lib/auth/permissions.ts. Client-safe on purpose: the users page hides the buttons a
 * refusal would follow, while lib/users/* (server-only) runs the same function before every change,
 * so the page, the server actions and any REST route enforce one table.
 *
 * The table, for an actor who may manage users at all (owner or admin):
 *   - nobody acts on themselves here (their own password is changed on the account page, with the
 *     current one), and nobody acts on the owner: the console always keeps its one owner;
 *   - admins are the owner's business: only the owner invites admins, makes or unmakes admins, and
 *     disables, removes or resets the password of an admin. Otherwise an admin could mint a second
 *     admin account by invitation, or take over another admin's account with a password reset;
 *   - nobody is invited as, or changed into, the owner (there is no ownership transfer);
 *   - the same goes for unlocking someone's sign-in (clearing the failed sign-in throttle: done
 *     repeatedly for the owner it would let an admin guess the owner's password at full speed) and
 *     for revoking someone's API tokens: the owner's are the owner's alone.
 */
import { roleAbilities, type Role } from "@/lib/auth/permissions";

export const USER_OPERATIONS = [
  "changeRole",
  "disable",
  "enable",
  "remove",
  "resetPassword",
  "unlockSignIn",
  "revokeApiTokens",
] as const;
export type UserOperation = (typeof USER_OPERATIONS)[number];

/** Roles an invitation or a role change may give (never owner). */
export const ASSIGNABLE_ROLES = ["admin", "editor", "viewer"] as const satisfies readonly Role[];
export type AssignableRole = (typeof ASSIGNABLE_ROLES)[number];

export interface UserRef {
  id: string;
  role: Role;
}

const NOT_ALLOWED = "Only the console owner and admins can manage users.";

const operationWords: Record<UserOperation, string> = {
  changeRole: "change the role of",
  disable: "disable",
  enable: "enable",
  remove: "remove",
  resetPassword: "reset the password of",
  unlockSignIn: "unlock the sign-in of",
  revokeApiTokens: "revoke the API tokens of",
};

/** Why `actor` may not invite someone as `role`, or null when they may. */
export function inviteRefusal(actor: UserRef, role: Role): string | null {
  if (!roleAbilities.manageUsers(actor.role)) return NOT_ALLOWED;
  if (role === "owner") return "A console has one owner; invite people as admin, editor or viewer.";
  if (role === "admin" && actor.role !== "owner") return "Only the console owner can invite admins.";
  return null;
}

/**
 * Why `actor` may not apply `operation` to `target`, or null when they may. `newRole` matters for
 * changeRole only: promoting to admin needs the owner just as demoting an admin does.
 */
export function userOperationRefusal(actor: UserRef, target: UserRef, operation: UserOperation, newRole?: Role): string | null {
  if (!roleAbilities.manageUsers(actor.role)) return NOT_ALLOWED;
  if (target.id === actor.id) {
    return operation === "resetPassword"
      ? "Change your own password on your account page."
      : `You cannot ${operationWords[operation]} your own account.`;
  }
  if (target.role === "owner") return `Nobody can ${operationWords[operation]} the console owner.`;
  if (target.role === "admin" && actor.role !== "owner")
    return `Only the console owner can ${operationWords[operation]} an admin.`;
  if (operation === "changeRole") {
    if (newRole === undefined || newRole === "owner") return "Choose admin, editor or viewer; a console has one owner.";
    if (newRole === "admin" && actor.role !== "owner") return "Only the console owner can make someone an admin.";
  }
  return null;
}

/** Roles this actor may give `target` (empty when they may not change it at all), for the role picker. */
export function assignableRolesFor(actor: UserRef, target: UserRef): AssignableRole[] {
  return ASSIGNABLE_ROLES.filter(
    (role) => role !== target.role && userOperationRefusal(actor, target, "changeRole", role) === null,
  );
}

/** Roles this actor may invite people as. */
export function invitableRoles(actor: UserRef): AssignableRole[] {
  return ASSIGNABLE_ROLES.filter((role) => inviteRefusal(actor, role) === null);
}
