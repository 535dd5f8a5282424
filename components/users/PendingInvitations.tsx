import { RelativeTime } from "@/components/profiles/RelativeTime";
import { Badge } from "@/components/ui/badge";
import { roleLabels } from "@/lib/auth/permissions";
import type { PendingInvitation } from "@/lib/users/list-users";

/** Invitations not yet accepted; the links themselves cannot be shown again (only their hash is kept). */
export function PendingInvitations({ invitations }: { invitations: PendingInvitation[] }) {
  return (
    <section aria-labelledby="invitations-heading" className="space-y-2">
      <h2 id="invitations-heading" className="text-base font-semibold">
        Pending invitations
      </h2>
      {invitations.length === 0 ? (
        <p className="text-sm text-slate-600">No invitation is waiting to be accepted.</p>
      ) : (
        <>
          <p className="text-sm text-slate-600">
            A lost or expired link cannot be shown again: invite the same email again for a new link (the old one stops working).
          </p>
          <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
            <table className="w-full min-w-[48rem] text-left text-sm">
              <caption className="sr-only">Pending invitations, newest first</caption>
              <thead className="border-b border-slate-200 bg-slate-50 text-xs text-slate-600 uppercase">
                <tr>
                  <th scope="col" className="px-3 py-2 font-semibold">
                    Email
                  </th>
                  <th scope="col" className="px-3 py-2 font-semibold">
                    Name
                  </th>
                  <th scope="col" className="px-3 py-2 font-semibold">
                    Role
                  </th>
                  <th scope="col" className="px-3 py-2 font-semibold">
                    Invited
                  </th>
                  <th scope="col" className="px-3 py-2 font-semibold">
                    Link
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {invitations.map((invitation) => (
                  <tr key={invitation.id} data-invitation={invitation.email}>
                    <th scope="row" className="px-3 py-2 font-medium">
                      {invitation.email}
                    </th>
                    <td className="px-3 py-2">{invitation.name}</td>
                    <td className="px-3 py-2">{roleLabels[invitation.role]}</td>
                    <td className="px-3 py-2 text-slate-600">
                      <RelativeTime iso={invitation.createdAt} />
                      {invitation.invitedBy ? <> by {invitation.invitedBy}</> : null}
                    </td>
                    <td className="px-3 py-2 whitespace-nowrap">
                      {invitation.expired ? (
                        <Badge tone="warn">Expired</Badge>
                      ) : (
                        <span className="text-slate-600">
                          expires{" "}
                          <time dateTime={invitation.expiresAt}>{invitation.expiresAt.slice(0, 16).replace("T", " ")} UTC</time>
                        </span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
