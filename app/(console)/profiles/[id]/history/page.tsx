import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Select } from "@/components/ui/input";
import { RelativeTime } from "@/components/profiles/RelativeTime";
import { RestoreRevisionButton } from "@/components/profiles/RestoreRevisionButton";
import { profileLevel } from "@/lib/auth/access";
import { atLeast } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/session";
import { cn } from "@/lib/cn";
import { compareProfileRevisions, listRevisions } from "@/lib/profile-operations/revisions";

export const metadata: Metadata = { title: "History" };

const actionLabels: Record<string, string> = {
  created: "Created",
  updated: "Saved",
  restored: "Restored",
  imported: "Imported",
  duplicated: "Duplicated",
};

export default async function HistoryPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const user = await requireUser();
  const { id } = await params;
  const access = await profileLevel(user, id);
  if (!access) notFound();
  const { name, version, revisions } = await listRevisions(id, user);
  const query = await searchParams;
  const numbers = new Set(revisions.map((r) => r.number));
  const pick = (value: unknown, fallback: number) =>
    typeof value === "string" && numbers.has(Number(value)) ? Number(value) : fallback;
  const to = pick(query.to, version);
  const from = pick(query.from, Math.max(1, to - 1));
  const rows = revisions.length > 1 ? await compareProfileRevisions(id, from, to, user) : [];
  const canRestore = atLeast(access.level, "edit");

  return (
    <div className="space-y-5">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-600">
        <Link href="/profiles" className="hover:underline">
          Profiles
        </Link>{" "}
        /{" "}
        <Link href={`/profiles/${id}`} className="hover:underline">
          {name}
        </Link>{" "}
        / History
      </nav>
      <h1 className="text-xl font-semibold">History of “{name}”</h1>

      <section aria-labelledby="revisions-heading" className="rounded-lg border border-slate-200 bg-white">
        <h2 id="revisions-heading" className="px-4 pt-4 text-base font-semibold">
          Revisions
        </h2>
        <table className="mt-2 w-full text-left text-sm">
          <caption className="sr-only">Every saved version of this profile, newest first</caption>
          <thead className="border-y border-slate-200 bg-slate-50 text-xs text-slate-600 uppercase">
            <tr>
              <th scope="col" className="px-4 py-2">
                #
              </th>
              <th scope="col" className="px-4 py-2">
                When
              </th>
              <th scope="col" className="px-4 py-2">
                Who
              </th>
              <th scope="col" className="px-4 py-2">
                What changed
              </th>
              <th scope="col" className="px-4 py-2">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {revisions.map((r) => (
              <tr key={r.number} data-revision={r.number}>
                <td className="px-4 py-2 font-medium tabular-nums">
                  {r.number}
                  {r.number === version ? (
                    <Badge tone="ok" className="ml-2">
                      current
                    </Badge>
                  ) : null}
                </td>
                <td className="px-4 py-2 whitespace-nowrap">
                  <RelativeTime iso={r.createdAt} />
                </td>
                <td className="px-4 py-2">{r.authorLabel}</td>
                <td className="px-4 py-2">
                  <span className="font-medium">{actionLabels[r.action] ?? r.action}</span>
                  {r.summary ? <span className="text-slate-700"> — {r.summary}</span> : null}
                </td>
                <td className="px-4 py-2 text-right whitespace-nowrap">
                  {r.number > 1 ? (
                    <Link
                      className="mr-2 text-sm text-blue-700 underline"
                      href={`/profiles/${id}/history?from=${r.number - 1}&to=${r.number}`}
                    >
                      Compare with {r.number - 1}
                    </Link>
                  ) : null}
                  {canRestore && r.number !== version ? (
                    <RestoreRevisionButton profileId={id} number={r.number} currentVersion={version} />
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>

      {revisions.length > 1 ? (
        <section aria-labelledby="compare-heading" className="rounded-lg border border-slate-200 bg-white p-4">
          <h2 id="compare-heading" className="text-base font-semibold">
            Compare
          </h2>
          <form action={`/profiles/${id}/history`} className="mt-2 flex flex-wrap items-end gap-2">
            <div>
              <label htmlFor="compare-from" className="text-sm font-medium">
                From revision
              </label>
              <Select id="compare-from" name="from" defaultValue={String(from)} className="w-32">
                {revisions.map((r) => (
                  <option key={r.number} value={r.number}>
                    {r.number}
                  </option>
                ))}
              </Select>
            </div>
            <div>
              <label htmlFor="compare-to" className="text-sm font-medium">
                To revision
              </label>
              <Select id="compare-to" name="to" defaultValue={String(to)} className="w-32">
                {revisions.map((r) => (
                  <option key={r.number} value={r.number}>
                    {r.number}
                  </option>
                ))}
              </Select>
            </div>
            <Button type="submit" variant="secondary">
              Compare
            </Button>
          </form>
          <table className="mt-3 w-full table-fixed text-sm" data-testid="revision-diff">
            <caption className="sr-only">
              Revision {from} and revision {to} side by side
            </caption>
            <thead className="text-left text-xs text-slate-600 uppercase">
              <tr>
                <th scope="col" className="w-1/4 py-1">
                  Field
                </th>
                <th scope="col" className="py-1">
                  Revision {from}
                </th>
                <th scope="col" className="py-1">
                  Revision {to}
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {rows.map((row) => (
                <tr
                  key={row.label}
                  className={cn(row.changed && "bg-amber-50")}
                  data-changed={row.changed ? "true" : "false"}
                  data-field={row.label}
                >
                  <th scope="row" className="py-1.5 pr-2 text-left font-medium">
                    {row.label}
                    {row.changed ? <span className="sr-only"> (changed)</span> : null}
                  </th>
                  <td className="py-1.5 pr-2 break-words">{row.before || <span className="text-slate-500">empty</span>}</td>
                  <td className={cn("py-1.5 break-words", row.changed && "font-medium")}>
                    {row.secret && row.after === "changed"
                      ? "secret changed"
                      : row.after || <span className="text-slate-500">empty</span>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
    </div>
  );
}
