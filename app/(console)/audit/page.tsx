import type { Metadata } from "next";
import { AuditFilters } from "@/components/audit/AuditFilters";
import { AuditPagination } from "@/components/audit/AuditPagination";
import { AuditTable } from "@/components/audit/AuditTable";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { AdminOnly } from "@/components/users/AdminOnly";
import { roleAbilities } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/session";
import { auditFilterOptions, auditFilterParams, listAuditEvents, parseAuditQuery } from "@/lib/audit/query";

export const metadata: Metadata = { title: "Audit log" };

export default async function AuditPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const user = await requireUser();
  if (!roleAbilities.viewAudit(user.role)) return <AdminOnly title="Audit log" what="read the audit log" />;
  const query = parseAuditQuery(await searchParams);
  const [result, options] = await Promise.all([listAuditEvents(user, query), auditFilterOptions(user, query.filters)]);
  const csvParams = auditFilterParams(query.filters).toString();
  const filtered = csvParams !== "";
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <h1 className="text-xl font-semibold">Audit log</h1>
          <p className="text-sm text-slate-600">
            Who did what, to which object, and when. Entries cannot be changed or deleted, and never hold a secret value.
          </p>
        </div>
        <Button asChild variant="secondary">
          {/* a plain link: the route answers with an attachment, so the page stays where it is */}
          <a href={`/api/audit${filtered ? `?${csvParams}` : ""}`} download>
            Download CSV{filtered ? " (filtered)" : ""}
          </a>
        </Button>
      </div>
      <AuditFilters filters={query.filters} options={options} pageSize={result.pageSize} />
      {query.problems.length > 0 ? <Alert tone="warning">Some filters were not applied: {query.problems.join(" ")}</Alert> : null}
      <AuditTable items={result.items} filtered={filtered} />
      <AuditPagination
        filters={query.filters}
        page={result.page}
        pageSize={result.pageSize}
        pageCount={result.pageCount}
        total={result.total}
      />
    </div>
  );
}
