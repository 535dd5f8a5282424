import { cn } from "@/lib/cn";
import type { LintFinding } from "@/lib/oauth/lint";

const fieldNames: [RegExp, string][] = [
  [/^authentication\.requestProperties/, "Request properties"],
  [/^authentication\.tenantId/, "Tenant ID"],
  [/^authentication\.tokenUrl/, "Token URL"],
  [/^authentication\.type/, "Authentication type"],
  [/^authentication\.clientAuthentication/, "Advanced"],
  [/^connection\.mailServerUrl/, "Mail server URL"],
];

/** Checks that run before any network call: shown on the form, repeated at the start of a Test. */
export function LintPanel({ findings }: { findings: LintFinding[] }) {
  const problems = findings.filter((f) => f.level !== "info").length;
  return (
    <section
      aria-labelledby="checks-heading"
      className="rounded-lg border border-amber-300 bg-amber-50 p-4"
      data-testid="lint-panel"
    >
      <h2 id="checks-heading" className="text-sm font-semibold text-amber-950">
        Checks before you test{problems ? ` — ${problems} to look at` : ""}
      </h2>
      <ul className="mt-2 space-y-1.5 text-sm">
        {findings.map((finding) => (
          <li key={`${finding.code}-${finding.path}`} className="flex gap-2" data-lint-code={finding.code}>
            <span
              aria-hidden="true"
              className={cn(
                "font-bold",
                finding.level === "error" ? "text-red-700" : finding.level === "warning" ? "text-amber-800" : "text-blue-800",
              )}
            >
              {finding.level === "error" ? "✕" : finding.level === "warning" ? "!" : "i"}
            </span>
            <span>
              <span className="sr-only">{finding.level}: </span>
              <span className="font-medium">
                {fieldNames.find(([pattern]) => pattern.test(finding.path))?.[1] ?? "Profile"}:
              </span>{" "}
              {finding.message}
            </span>
          </li>
        ))}
      </ul>
    </section>
  );
}
