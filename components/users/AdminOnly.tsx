import Link from "next/link";

/** What a signed-in editor or viewer sees on an owner/admin page instead of its content. */
export function AdminOnly({ title, what }: { title: string; what: string }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-6">
      <h1 className="text-lg font-semibold">{title}</h1>
      <p className="mt-1 text-sm text-slate-600">
        Only the console owner and admins can {what}.{" "}
        <Link href="/profiles" className="text-blue-700 underline">
          Back to the profiles
        </Link>
        .
      </p>
    </div>
  );
}
