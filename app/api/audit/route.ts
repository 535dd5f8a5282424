import { requireAbility } from "@/lib/auth/access";
import { CSV_BOM, auditCsvFileName, auditCsvHeader, auditCsvLine } from "@/lib/audit/csv";
import { auditEventsForExport, parseAuditQuery } from "@/lib/audit/query";
import { downloadHeaders } from "@/lib/http/download";
import { jsonError } from "@/lib/http/json-error";
import { withUser } from "@/lib/http/route-auth";
import { log } from "@/lib/log";

/**
 * GET /api/audit?user=&profile=&action=&from=&to= — the audit log as CSV, with the audit page's
 * filters. Streamed batch by batch, so a long log never sits in memory whole.
 */
export const GET = withUser("audit export", async (request, { user }) => {
  requireAbility(user, "viewAudit", "Only the console owner and admins can read the audit log.");
  const query = parseAuditQuery(new URL(request.url).searchParams);
  // A filter the page would drop with a notice must not silently widen a download to the whole log.
  if (query.problems.length > 0) return jsonError("invalid_input", query.problems.join(" "), 400);

  const batches = auditEventsForExport(user, query.filters);
  const encoder = new TextEncoder();
  let started = false;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        controller.enqueue(encoder.encode(CSV_BOM + auditCsvHeader()));
        return;
      }
      try {
        const next = await batches.next();
        if (next.done) controller.close();
        else controller.enqueue(encoder.encode(next.value.map(auditCsvLine).join("")));
      } catch (error) {
        log.error("audit export failed", { error: error instanceof Error ? error.stack : String(error) });
        controller.error(new Error("audit export failed"));
      }
    },
    async cancel() {
      await batches.return(undefined);
    },
  });
  return new Response(stream, { headers: downloadHeaders(auditCsvFileName(new Date()), "csv", "text/csv; charset=utf-8") });
});
