import type { ImportError } from "@/lib/transfer/import-error";

/**
 * Every problem of an import, each with the JSON path (or line number) it concerns, so the admin
 * can find the spot in the file. Rendered as an alert so screen readers announce it.
 */
export function ImportErrors({ title, errors }: { title: string; errors: readonly ImportError[] }) {
  if (errors.length === 0) return null;
  return (
    <div role="alert" className="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-900">
      <p className="font-medium">{title}</p>
      <ul aria-label="Problems" className="mt-2 max-h-96 space-y-1 overflow-y-auto">
        {errors.map((error, i) => (
          <li key={`${i}-${error.path}`} className="flex flex-wrap gap-x-2" data-error-path={error.path}>
            <code className="rounded bg-red-100 px-1 font-mono text-xs break-all">{error.path}</code>
            <span>{error.message}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
