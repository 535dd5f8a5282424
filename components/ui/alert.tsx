import type { ReactNode } from "react";
import { cn } from "@/lib/cn";

const tones = {
  error: "border-red-300 bg-red-50 text-red-900",
  success: "border-green-300 bg-green-50 text-green-900",
  warning: "border-amber-300 bg-amber-50 text-amber-950",
  info: "border-blue-300 bg-blue-50 text-blue-900",
} as const;

/** A message box; `live` makes screen readers announce it when it appears. */
export function Alert({
  tone,
  children,
  className,
  live,
}: {
  tone: keyof typeof tones;
  children: ReactNode;
  className?: string;
  live?: boolean;
}) {
  return (
    <div
      role={tone === "error" ? "alert" : live ? "status" : undefined}
      className={cn("rounded-md border px-3 py-2 text-sm", tones[tone], className)}
    >
      {children}
    </div>
  );
}
