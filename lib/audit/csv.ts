/**
 * CSV for the audit export (RFC 4180: comma-separated, CRLF line ends, fields with a quote, comma
 * or line break wrapped in quotes with inner quotes doubled). Pure and client-safe.
 *
 * Many cells hold text someone else chose — a user's name, the email typed into a failed sign-in, a
 * profile name — and spreadsheets run a cell starting with = + - @ as a formula. Such cells get a
 * leading apostrophe, which spreadsheets treat as "this is text" (OWASP "CSV injection"). Tab and
 * carriage return are included because some spreadsheets skip them before looking for a formula.
 */
export type CsvValue = string | number | boolean | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

/** A UTF-8 byte-order mark: without it Excel reads the file as ANSI and garbles non-ASCII names. */
export const CSV_BOM = "\uFEFF";

export function csvCell(value: CsvValue): string {
  let text = value === null || value === undefined ? "" : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function csvLine(values: readonly CsvValue[]): string {
  return `${values.map(csvCell).join(",")}\r\n`;
}

/** One audit event as exported: the raw JSON detail, so nothing is lost to the page's formatting. */
export interface AuditCsvEvent {
  at: string;
  actorLabel: string;
  actorId: string | null;
  action: string;
  actionLabel: string;
  objectType: string | null;
  objectId: string | null;
  objectLabel: string | null;
  detail: string | null;
  ip: string | null;
}

export const AUDIT_CSV_COLUMNS = [
  "Time (UTC)",
  "Who",
  "User id",
  "Action",
  "Action code",
  "Object type",
  "Object id",
  "Object",
  "Details (JSON)",
  "IP address",
] as const;

export const auditCsvHeader = () => csvLine(AUDIT_CSV_COLUMNS);

export function auditCsvLine(event: AuditCsvEvent): string {
  return csvLine([
    event.at,
    event.actorLabel,
    event.actorId,
    event.actionLabel,
    event.action,
    event.objectType,
    event.objectId,
    event.objectLabel,
    event.detail,
    event.ip,
  ]);
}

/** "audit-2026-11-29" for a download on that day (UTC). */
export const auditCsvFileName = (now: Date) => `audit-${now.toISOString().slice(0, 10)}`;
