import Link from "next/link";
import { NavLink } from "@/components/layout/NavLink";
import { Button } from "@/components/ui/button";
import { signOutAction } from "@/lib/actions/auth";
import { roleAbilities, roleLabels } from "@/lib/auth/permissions";
import type { CurrentUser } from "@/lib/auth/session";

export function ConsoleHeader({ user }: { user: CurrentUser }) {
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex h-14 max-w-6xl items-center gap-6 px-4 sm:px-6">
        <Link
          href="/profiles"
          className="flex items-center gap-2 font-semibold text-slate-900 focus-visible:outline-2 focus-visible:outline-blue-600"
        >
          <span aria-hidden="true" className="grid size-7 place-items-center rounded bg-blue-700 text-xs font-bold text-white">
            MCF
          </span>
          MCF Console
        </Link>
        <nav aria-label="Main" className="flex items-center gap-1 text-sm">
          <NavLink href="/profiles">Profiles</NavLink>
          <NavLink href="/certificates">Certificates</NavLink>
          {roleAbilities.manageUsers(user.role) ? <NavLink href="/users">Users</NavLink> : null}
          {roleAbilities.viewAudit(user.role) ? <NavLink href="/audit">Audit</NavLink> : null}
        </nav>
        <div className="ml-auto flex items-center gap-3 text-sm">
          <Link
            href="/account"
            className="text-right leading-tight text-slate-700 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-blue-600"
            data-testid="current-user"
          >
            <span className="block font-medium">{user.name}</span>
            <span className="block text-xs text-slate-600">{roleLabels[user.role]}</span>
          </Link>
          <form action={signOutAction}>
            <Button type="submit" variant="secondary" size="sm">
              Sign out
            </Button>
          </form>
        </div>
      </div>
    </header>
  );
}
