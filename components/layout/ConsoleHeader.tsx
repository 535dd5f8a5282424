import Link from "next/link";
import { NavLink } from "@/components/layout/NavLink";

export function ConsoleHeader() {
  return (
    <header className="border-b border-slate-200 bg-white">
      <div className="mx-auto flex h-14 max-w-6xl items-center gap-6 px-4 sm:px-6">
        <Link href="/profiles" className="flex items-center gap-2 font-semibold text-slate-900 focus-visible:outline-2 focus-visible:outline-blue-600">
          <span aria-hidden="true" className="grid size-7 place-items-center rounded bg-blue-700 text-xs font-bold text-white">MCF</span>
          MCF Console
        </Link>
        <nav aria-label="Main" className="flex items-center gap-1 text-sm">
          <NavLink href="/profiles">Profiles</NavLink>
          <NavLink href="/certificates">Certificates</NavLink>
        </nav>
      </div>
    </header>
  );
}
