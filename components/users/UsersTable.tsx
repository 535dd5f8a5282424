import { RelativeTime } from "@/components/profiles/RelativeTime";
import { Badge } from "@/components/ui/badge";
import { UserRowActions, type UserRowPermissions } from "@/components/users/UserRowActions";
import { roleLabels } from "@/lib/auth/permissions";
import type { UserListItem } from "@/lib/users/list-users";

export interface UserRow extends UserListItem {
  allowed: UserRowPermissions;
  isYou: boolean;
}

export function UsersTable({
  users,
  ownerLabel,
  minPasswordLength,
}: {
  users: UserRow[];
  ownerLabel: string;
  minPasswordLength: number;
}) {
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="w-full min-w-[56rem] text-left text-sm">
        <caption className="sr-only">Console users, owner first, then by role and name</caption>
        <thead className="border-b border-slate-200 bg-slate-50 text-xs text-slate-600 uppercase">
          <tr>
            <th scope="col" className="px-3 py-2 font-semibold">
              Name
            </th>
            <th scope="col" className="px-3 py-2 font-semibold">
              Email
            </th>
            <th scope="col" className="px-3 py-2 font-semibold">
              Role
            </th>
            <th scope="col" className="px-3 py-2 font-semibold">
              Status
            </th>
            <th scope="col" className="px-3 py-2 font-semibold">
              Created
            </th>
            <th scope="col" className="px-3 py-2 font-semibold">
              Last sign-in
            </th>
            <th scope="col" className="px-3 py-2 text-right font-semibold">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {users.map((user) => (
            <tr key={user.id} className="hover:bg-slate-50" data-user={user.email}>
              <th scope="row" className="px-3 py-2 font-medium">
                {user.name}
                {user.isYou ? <span className="ml-1 text-xs font-normal text-slate-600">(you)</span> : null}
              </th>
              <td className="px-3 py-2">{user.email}</td>
              <td className="px-3 py-2">
                <Badge tone={user.role === "owner" || user.role === "admin" ? "info" : "neutral"}>{roleLabels[user.role]}</Badge>
              </td>
              <td className="px-3 py-2">
                <div className="flex flex-wrap gap-1">
                  {user.disabled ? <Badge tone="danger">Disabled</Badge> : <Badge tone="ok">Active</Badge>}
                  {user.signInSlowed ? (
                    <Badge tone="warn">
                      Sign-in slowed on {user.signInSlowed.addresses} address{user.signInSlowed.addresses === 1 ? "" : "es"}
                    </Badge>
                  ) : null}
                </div>
              </td>
              <td className="px-3 py-2 whitespace-nowrap text-slate-600">
                <RelativeTime iso={user.createdAt} />
              </td>
              <td className="px-3 py-2 whitespace-nowrap text-slate-600">
                {user.lastSignInAt ? <RelativeTime iso={user.lastSignInAt} /> : "never"}
              </td>
              <td className="px-3 py-2 text-right">
                <UserRowActions
                  user={{
                    id: user.id,
                    name: user.name,
                    email: user.email,
                    disabled: user.disabled,
                    profilesOwned: user.profilesOwned,
                    certificatesCreated: user.certificatesCreated,
                  }}
                  allowed={user.allowed}
                  ownerLabel={ownerLabel}
                  minPasswordLength={minPasswordLength}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
