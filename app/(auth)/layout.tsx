import type { ReactNode } from "react";

export const dynamic = "force-dynamic";

export default function AuthLayout({ children }: { children: ReactNode }) {
  return (
    <main id="main" className="grid min-h-screen place-items-center px-4 py-10">
      <div className="w-full max-w-md">
        <p className="mb-6 flex items-center justify-center gap-2 text-lg font-semibold">
          <span aria-hidden="true" className="grid size-8 place-items-center rounded bg-blue-700 text-xs font-bold text-white">
            MCF
          </span>
          MCF Console
        </p>
        {children}
      </div>
    </main>
  );
}
