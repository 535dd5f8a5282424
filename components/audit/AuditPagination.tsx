import Link from "next/link";
import { AUDIT_PAGE_SIZES, auditFilterParams, type AuditFilters } from "@/lib/audit/query";

function href(filters: AuditFilters, page: number, size: number) {
  const params = auditFilterParams(filters);
  params.set("page", String(page));
  params.set("size", String(size));
  return `/audit?${params.toString()}`;
}

/** Mirrors the profiles list's pagination; every link keeps the filters. */
export function AuditPagination({
  filters,
  page,
  pageSize,
  pageCount,
  total,
}: {
  filters: AuditFilters;
  page: number;
  pageSize: number;
  pageCount: number;
  total: number;
}) {
  const first = (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  return (
    <nav aria-label="Pagination" className="flex flex-wrap items-center justify-between gap-3 text-sm text-slate-700">
      <p>
        {total === 0
          ? "No events"
          : `${first.toLocaleString("en-US")}–${last.toLocaleString("en-US")} of ${total.toLocaleString("en-US")}`}
      </p>
      <div className="flex items-center gap-2">
        <span>Per page:</span>
        {AUDIT_PAGE_SIZES.map((size) => (
          <Link
            key={size}
            href={href(filters, 1, size)}
            aria-current={size === pageSize ? "true" : undefined}
            className={
              size === pageSize ? "rounded bg-slate-200 px-2 py-0.5 font-medium" : "rounded px-2 py-0.5 hover:bg-slate-100"
            }
          >
            {size}
          </Link>
        ))}
        <span className="mx-2 text-slate-500" aria-hidden="true">
          |
        </span>
        {page > 1 ? (
          <Link className="rounded px-2 py-0.5 hover:bg-slate-100" href={href(filters, page - 1, pageSize)}>
            ← Previous
          </Link>
        ) : (
          <span className="px-2 text-slate-500">← Previous</span>
        )}
        <span>
          Page {page} of {pageCount}
        </span>
        {page < pageCount ? (
          <Link className="rounded px-2 py-0.5 hover:bg-slate-100" href={href(filters, page + 1, pageSize)}>
            Next →
          </Link>
        ) : (
          <span className="px-2 text-slate-500">Next →</span>
        )}
      </div>
    </nav>
  );
}
