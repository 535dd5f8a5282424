import Link from "next/link";
import { RelativeTime } from "@/components/profiles/RelativeTime";
import { Badge } from "@/components/ui/badge";
import type { AuditDetailView, AuditEventItem } from "@/lib/audit/query";

const objectTypeLabels: Record<string, string> = {
  profile: "Profile",
  certificate: "Certificate",
  user: "User",
  api_token: "API token",
  export: "Export",
  session: "Session",
};

function Details({ detail }: { detail: AuditDetailView | null }) {
  if (!detail) return <span className="text-slate-500">—</span>;
  return (
    <div className="space-y-1">
      {detail.result ? (
        <p>
          <Badge tone={detail.result.ok ? "ok" : "danger"}>{detail.result.ok ? "Passed" : "Failed"}</Badge>
          {detail.result.summary ? <span className="ml-1.5">{detail.result.summary}</span> : null}
        </p>
      ) : null}
      {detail.changes.length > 0 ? (
        <ul className="list-disc space-y-0.5 pl-4">
          {detail.changes.map((change, i) => (
            <li key={i}>{change}</li>
          ))}
        </ul>
      ) : null}
      {detail.facts.length > 0 ? (
        <dl className="grid grid-cols-[auto_1fr] gap-x-2 gap-y-0.5">
          {detail.facts.map((fact, i) => (
            <div key={i} className="contents">
              <dt className="text-slate-600">{fact.label}</dt>
              <dd className="break-words">{fact.value}</dd>
            </div>
          ))}
        </dl>
      ) : null}
    </div>
  );
}

export function AuditTable({ items, filtered }: { items: AuditEventItem[]; filtered: boolean }) {
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="w-full min-w-[64rem] text-left align-top text-sm">
        <caption className="sr-only">Audit events, newest first{filtered ? ", filtered" : ""}</caption>
        <thead className="border-b border-slate-200 bg-slate-50 text-xs text-slate-600 uppercase">
          <tr>
            <th scope="col" className="px-3 py-2 font-semibold">
              When (UTC)
            </th>
            <th scope="col" className="px-3 py-2 font-semibold">
              Who
            </th>
            <th scope="col" className="px-3 py-2 font-semibold">
              Action
            </th>
            <th scope="col" className="px-3 py-2 font-semibold">
              Object
            </th>
            <th scope="col" className="px-3 py-2 font-semibold">
              Details
            </th>
            <th scope="col" className="px-3 py-2 font-semibold">
              IP address
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {items.length === 0 ? (
            <tr>
              <td colSpan={6} className="px-3 py-8 text-center text-slate-600">
                {filtered ? "No event matches these filters." : "Nothing has been recorded yet."}
              </td>
            </tr>
          ) : (
            items.map((event) => (
              <tr key={event.id} className="align-top" data-action={event.action}>
                <td className="px-3 py-2 whitespace-nowrap">
                  <RelativeTime iso={event.at} />
                  <span className="block text-xs text-slate-600">{event.at.slice(0, 19).replace("T", " ")}</span>
                </td>
                <td className="max-w-56 px-3 py-2 break-words">{event.actorLabel}</td>
                <td className="px-3 py-2">
                  {event.actionLabel}
                  <span className="block font-mono text-xs text-slate-600">{event.action}</span>
                </td>
                <td className="max-w-56 px-3 py-2 break-words">
                  {event.object ? (
                    <>
                      <span className="block text-xs text-slate-600">
                        {objectTypeLabels[event.object.type] ?? event.object.type}
                      </span>
                      {event.object.href ? (
                        <Link
                          href={event.object.href}
                          className="text-blue-700 hover:underline focus-visible:outline-2 focus-visible:outline-blue-600"
                        >
                          {event.object.label ?? event.object.id}
                        </Link>
                      ) : (
                        <span>{event.object.label ?? event.object.id ?? "—"}</span>
                      )}
                    </>
                  ) : (
                    <span className="text-slate-500">—</span>
                  )}
                </td>
                <td className="max-w-md px-3 py-2">
                  <Details detail={event.detail} />
                </td>
                <td className="px-3 py-2 font-mono text-xs whitespace-nowrap">{event.ip ?? "—"}</td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </div>
  );
}
