import Link from "next/link";
import { Button } from "@/components/ui/button";
import { Input, Select } from "@/components/ui/input";
import type { AuditFilterOptions, AuditFilters as Filters } from "@/lib/audit/query";

/** A plain GET form: filters live in the URL, so a filtered view can be bookmarked or shared. */
export function AuditFilters({
  filters,
  options,
  pageSize,
}: {
  filters: Filters;
  options: AuditFilterOptions;
  pageSize: number;
}) {
  const active = Boolean(filters.user || filters.profile || filters.action || filters.from || filters.to);
  return (
    <form
      role="search"
      aria-label="Filter the audit log"
      action="/audit"
      className="grid grid-cols-1 items-end gap-3 rounded-lg border border-slate-200 bg-white p-4 sm:grid-cols-2 lg:grid-cols-6"
    >
      <div className="lg:col-span-2">
        <label htmlFor="audit-user" className="block text-sm font-medium text-slate-800">
          User
        </label>
        <Select id="audit-user" name="user" defaultValue={filters.user ?? ""}>
          <option value="">Anyone</option>
          {options.users.map((u) => (
            <option key={u.id} value={u.id}>
              {u.label}
            </option>
          ))}
        </Select>
      </div>
      <div className="lg:col-span-2">
        <label htmlFor="audit-profile" className="block text-sm font-medium text-slate-800">
          Profile
        </label>
        <Select id="audit-profile" name="profile" defaultValue={filters.profile ?? ""}>
          <option value="">Any profile</option>
          {options.profiles.map((p) => (
            <option key={p.id} value={p.id}>
              {p.label}
            </option>
          ))}
        </Select>
      </div>
      <div className="lg:col-span-2">
        <label htmlFor="audit-action" className="block text-sm font-medium text-slate-800">
          Action
        </label>
        <Select id="audit-action" name="action" defaultValue={filters.action ?? ""}>
          <option value="">Any action</option>
          {options.actions.map((a) => (
            <option key={a.value} value={a.value}>
              {a.label}
            </option>
          ))}
        </Select>
      </div>
      <div>
        <label htmlFor="audit-from" className="block text-sm font-medium text-slate-800">
          From (UTC)
        </label>
        <Input id="audit-from" name="from" type="date" defaultValue={filters.from ?? ""} />
      </div>
      <div>
        <label htmlFor="audit-to" className="block text-sm font-medium text-slate-800">
          To (UTC)
        </label>
        <Input id="audit-to" name="to" type="date" defaultValue={filters.to ?? ""} />
      </div>
      <input type="hidden" name="size" value={pageSize} />
      <div className="flex gap-2 lg:col-span-4">
        <Button type="submit" variant="secondary">
          Apply filters
        </Button>
        {active ? (
          <Button asChild variant="ghost">
            <Link href={`/audit?size=${pageSize}`}>Clear filters</Link>
          </Button>
        ) : null}
      </div>
    </form>
  );
}
