import type { Metadata } from "next";
import { AdminOnly } from "@/components/users/AdminOnly";
import { InviteUserDialog } from "@/components/users/InviteUserDialog";
import { PendingInvitations } from "@/components/users/PendingInvitations";
import { UsersTable, type UserRow } from "@/components/users/UsersTable";
import { MIN_PASSWORD_LENGTH } from "@/lib/auth/auth";
import { roleAbilities } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/session";
import { listPendingInvitations, listUsers } from "@/lib/users/list-users";
import { assignableRolesFor, invitableRoles, userOperationRefusal } from "@/lib/users/rules";

export const metadata: Metadata = { title: "Users" };

export default async function UsersPage() {
  const me = await requireUser();
  if (!roleAbilities.manageUsers(me.role)) return <AdminOnly title="Users" what="manage users" />;
  const [users, invitations] = await Promise.all([listUsers(me), listPendingInvitations(me)]);
  const owner = users.find((u) => u.role === "owner");
  // The buttons follow the same rules the server enforces (lib/users/rules.ts); hiding one is a courtesy, not the check.
  const rows: UserRow[] = users.map((user) => ({
    ...user,
    isYou: user.id === me.id,
    allowed: {
      roles: assignableRolesFor(me, user),
      disable: userOperationRefusal(me, user, "disable") === null,
      enable: userOperationRefusal(me, user, "enable") === null,
      remove: userOperationRefusal(me, user, "remove") === null,
      resetPassword: userOperationRefusal(me, user, "resetPassword") === null,
      unlockSignIn: user.signInSlowed !== null && userOperationRefusal(me, user, "unlockSignIn") === null,
    },
  }));
  return (
    <div className="space-y-6">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <h1 className="text-xl font-semibold">Users</h1>
          <p className="text-sm text-slate-600">
            Who can sign in to this console, and with which role. Removing someone hands their profiles and certificates to the
            owner; nothing is lost.
          </p>
        </div>
        <InviteUserDialog roles={invitableRoles(me)} />
      </div>
      <UsersTable
        users={rows}
        ownerLabel={owner ? `${owner.name} <${owner.email}>` : "the console owner"}
        minPasswordLength={MIN_PASSWORD_LENGTH}
      />
      <PendingInvitations invitations={invitations} />
    </div>
  );
}
