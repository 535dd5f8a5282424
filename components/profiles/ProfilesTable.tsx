import Link from "next/link";
import { Badge } from "@/components/ui/badge";
import { Input } from "@/components/ui/input";
import { Button } from "@/components/ui/button";
import { RelativeTime } from "@/components/profiles/RelativeTime";
import { ProfileRowActions } from "@/components/profiles/ProfileRowActions";
import { PAGE_SIZES, type ProfileListItem, type SortColumn } from "@/lib/db/profiles";
import { SelectAllCheckbox, SelectRowCheckbox } from "@/components/transfer/ExportSelection";

interface ListResult {
  items: ProfileListItem[];
  total: number;
  page: number;
  pageSize: number;
  pageCount: number;
  sort: SortColumn;
  direction: "asc" | "desc";
  search: string;
}

const columns: { key: SortColumn; label: string }[] = [
  { key: "name", label: "Name" },
  { key: "protocol", label: "Protocol" },
  { key: "host", label: "Host" },
  { key: "username", label: "Username" },
  { key: "authLabel", label: "Authentication" },
  { key: "updatedAt", label: "Updated" },
  { key: "lastTestAt", label: "Last test" },
];

const levelBadge = { use: "Use", edit: "Edit", manage: "Manage" } as const;

function href(result: ListResult, changes: Partial<{ q: string; sort: string; dir: string; page: number; size: number }>) {
  const params = new URLSearchParams();
  const q = changes.q ?? result.search;
  if (q) params.set("q", q);
  params.set("sort", changes.sort ?? result.sort);
  params.set("dir", changes.dir ?? result.direction);
  params.set("page", String(changes.page ?? result.page));
  params.set("size", String(changes.size ?? result.pageSize));
  return `/profiles?${params.toString()}`;
}

export function ProfilesTable({ result, canCreate }: { result: ListResult; canCreate: boolean }) {
  const first = (result.page - 1) * result.pageSize + 1;
  const last = Math.min(result.total, result.page * result.pageSize);
  return (
    <div className="space-y-3">
      <form role="search" action="/profiles" className="flex flex-wrap items-end gap-2">
        <div className="w-full max-w-sm">
          <label htmlFor="profile-search" className="block text-sm font-medium text-slate-800">
            Search
          </label>
          <Input
            id="profile-search"
            name="q"
            type="search"
            defaultValue={result.search}
            placeholder="Name, host or username"
            maxLength={200}
          />
        </div>
        <input type="hidden" name="sort" value={result.sort} />
        <input type="hidden" name="dir" value={result.direction} />
        <input type="hidden" name="size" value={result.pageSize} />
        <Button type="submit" variant="secondary">
          Search
        </Button>
        {result.search ? (
          <Button asChild variant="ghost">
            <Link href={href(result, { q: "", page: 1 })}>Clear search</Link>
          </Button>
        ) : null}
      </form>

      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
        <table className="w-full min-w-[56rem] text-left text-sm">
          <caption className="sr-only">
            Connection profiles, sorted by {columns.find((c) => c.key === result.sort)?.label}{" "}
            {result.direction === "asc" ? "ascending" : "descending"}
          </caption>
          <thead className="border-b border-slate-200 bg-slate-50 text-xs text-slate-600 uppercase">
            <tr>
              <th scope="col" className="w-8 px-3 py-2">
                <SelectAllCheckbox />
              </th>
              {columns.map((column) => {
                const active = result.sort === column.key;
                const nextDir = active && result.direction === "asc" ? "desc" : "asc";
                return (
                  <th
                    key={column.key}
                    scope="col"
                    className="px-3 py-2 font-semibold"
                    aria-sort={active ? (result.direction === "asc" ? "ascending" : "descending") : undefined}
                  >
                    <Link
                      href={href(result, { sort: column.key, dir: nextDir, page: 1 })}
                      className="inline-flex items-center gap-1 rounded hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-blue-600"
                    >
                      {column.label}
                      <span aria-hidden="true" className="w-3">
                        {active ? (result.direction === "asc" ? "▲" : "▼") : ""}
                      </span>
                    </Link>
                  </th>
                );
              })}
              <th scope="col" className="px-3 py-2 text-right font-semibold">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {result.items.length === 0 ? (
              <tr>
                <td colSpan={columns.length + 2} className="px-3 py-8 text-center text-slate-600">
                  {result.search ? (
                    <>No profile matches “{result.search}”.</>
                  ) : !canCreate ? (
                    <>No profile is shared with you yet. Ask a colleague to share one.</>
                  ) : (
                    <>
                      No profiles yet.{" "}
                      <Link className="font-medium text-blue-700 underline" href="/profiles/new">
                        Create the first one
                      </Link>
                      .
                    </>
                  )}
                </td>
              </tr>
            ) : (
              result.items.map((item) => (
                <tr key={item.id} className="hover:bg-slate-50">
                  <td className="px-3 py-2">
                    <SelectRowCheckbox id={item.id} name={item.name} />
                  </td>
                  <td className="max-w-64 px-3 py-2 font-medium">
                    <Link
                      href={`/profiles/${item.id}`}
                      className="text-blue-700 hover:underline focus-visible:outline-2 focus-visible:outline-blue-600"
                    >
                      {item.name}
                    </Link>
                    {item.level !== "manage" ? (
                      <Badge tone="info" className="ml-2">
                        <span className="sr-only">your access: </span>
                        {levelBadge[item.level]}
                      </Badge>
                    ) : null}
                  </td>
                  <td className="px-3 py-2">{item.protocol === "imap" ? "IMAP" : "POP3"}</td>
                  <td className="px-3 py-2">
                    {item.host}
                    <span className="text-slate-500">:{item.port}</span>
                  </td>
                  <td className="px-3 py-2">{item.username}</td>
                  <td className="px-3 py-2 whitespace-nowrap">{item.authLabel}</td>
                  <td className="px-3 py-2 whitespace-nowrap text-slate-600">
                    <RelativeTime iso={item.updatedAt} />
                  </td>
                  <td className="px-3 py-2 whitespace-nowrap">
                    {item.lastTest ? (
                      item.lastTest.ok ? (
                        <Badge tone="ok">
                          verified&nbsp;
                          <RelativeTime iso={item.lastTest.at} />
                        </Badge>
                      ) : (
                        <Badge tone="danger">
                          failing since&nbsp;
                          <RelativeTime iso={item.lastTest.failingSince ?? item.lastTest.at} />
                        </Badge>
                      )
                    ) : (
                      <span className="text-slate-500">never tested</span>
                    )}
                  </td>
                  <td className="px-3 py-2 text-right">
                    <ProfileRowActions
                      id={item.id}
                      name={item.name}
                      canDuplicate={canCreate}
                      canDelete={item.level === "manage"}
                    />
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>

      <nav aria-label="Pagination" className="flex flex-wrap items-center justify-between gap-3 text-sm text-slate-700">
        <p>
          {result.total === 0
            ? "No profiles"
            : `${first.toLocaleString("en-US")}–${last.toLocaleString("en-US")} of ${result.total.toLocaleString("en-US")}`}
        </p>
        <div className="flex items-center gap-2">
          <span>Per page:</span>
          {PAGE_SIZES.map((size) => (
            <Link
              key={size}
              href={href(result, { size, page: 1 })}
              aria-current={size === result.pageSize ? "true" : undefined}
              className={
                size === result.pageSize
                  ? "rounded bg-slate-200 px-2 py-0.5 font-medium"
                  : "rounded px-2 py-0.5 hover:bg-slate-100"
              }
            >
              {size}
            </Link>
          ))}
          <span className="mx-2 text-slate-500" aria-hidden="true">
            |
          </span>
          {result.page > 1 ? (
            <Link className="rounded px-2 py-0.5 hover:bg-slate-100" href={href(result, { page: result.page - 1 })}>
              ← Previous
            </Link>
          ) : (
            <span className="px-2 text-slate-500">← Previous</span>
          )}
          <span>
            Page {result.page} of {result.pageCount}
          </span>
          {result.page < result.pageCount ? (
            <Link className="rounded px-2 py-0.5 hover:bg-slate-100" href={href(result, { page: result.page + 1 })}>
              Next →
            </Link>
          ) : (
            <span className="px-2 text-slate-500">Next →</span>
          )}
        </div>
      </nav>
    </div>
  );
}
