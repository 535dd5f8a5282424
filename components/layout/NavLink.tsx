"use client";
import Link from "next/link";
import { usePathname } from "next/navigation";
import type { ReactNode } from "react";
import { cn } from "@/lib/cn";

export function NavLink({ href, children }: { href: string; children: ReactNode }) {
  const pathname = usePathname();
  const active = pathname === href || pathname.startsWith(`${href}/`);
  return (
    <Link
      href={href}
      aria-current={active ? "page" : undefined}
      className={cn(
        "rounded-md px-2.5 py-1.5 font-medium focus-visible:outline-2 focus-visible:outline-blue-600",
        active ? "bg-slate-100 text-slate-900" : "text-slate-600 hover:text-slate-900",
      )}
    >
      {children}
    </Link>
  );
}
