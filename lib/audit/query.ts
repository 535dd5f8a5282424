import "server-only";
import { z } from "zod";
import type { Prisma } from "@/generated/prisma/client";
import { requireAbility } from "@/lib/auth/access";
import type { CurrentUser } from "@/lib/auth/session";
import type { AuditAction } from "@/lib/audit/record";
import type { AuditCsvEvent } from "@/lib/audit/csv";
import { prisma } from "@/lib/db/client";

/**
 * Reading the audit log: the page's filtered, paginated list and the CSV export's full walk share
 * one filter parser and one `where`, so the download holds exactly what the page shows.
 */

const NOT_ALLOWED = "Only the console owner and admins can read the audit log.";

/** Typed against the AuditAction union: adding an action without a label fails the type check. */
export const AUDIT_ACTION_LABELS: Record<AuditAction, string> = {
  "auth.sign_in": "Signed in",
  "auth.sign_in_failed": "Sign-in failed",
  "auth.sign_out": "Signed out",
  "auth.password_changed": "Changed own password",
  "auth.owner_created": "Created the owner account",
  "user.invited": "Invited a user",
  "user.joined": "Joined by invitation",
  "user.role_changed": "Changed a user's role",
  "user.disabled": "Disabled a user",
  "user.enabled": "Enabled a user",
  "user.removed": "Removed a user",
  "user.password_reset": "Reset a user's password",
  "user.sign_in_unlocked": "Unlocked a user's sign-in",
  "user.renamed": "Changed a display name",
  "profile.created": "Created a profile",
  "profile.updated": "Changed a profile",
  "profile.duplicated": "Duplicated a profile",
  "profile.deleted": "Deleted a profile",
  "profile.restored": "Restored a profile revision",
  "profile.tested": "Tested a profile",
  "profile.shared": "Shared a profile",
  "profile.unshared": "Removed a share",
  "profile.exported": "Exported profiles",
  "profile.imported": "Imported a profile",
  "certificate.generated": "Generated a certificate",
  "certificate.imported": "Imported a certificate",
  "certificate.downloaded": "Downloaded a certificate",
  "certificate.key_exported": "Exported a private key",
  "certificate.deleted": "Deleted a certificate",
  "api_token.created": "Created an API token",
  "api_token.revoked": "Revoked an API token",
};

export const AUDIT_ACTIONS = Object.keys(AUDIT_ACTION_LABELS) as AuditAction[];

const isKnownAction = (action: string): action is AuditAction => Object.hasOwn(AUDIT_ACTION_LABELS, action);
export const actionLabel = (action: string) => (isKnownAction(action) ? AUDIT_ACTION_LABELS[action] : action);

export const AUDIT_PAGE_SIZES = [25, 50, 100, 200] as const;
const DEFAULT_PAGE_SIZE = 50;

export interface AuditFilters {
  /** actor's user id */
  user?: string;
  /** profile id (the event's object) */
  profile?: string;
  action?: AuditAction;
  /** YYYY-MM-DD, UTC, inclusive */
  from?: string;
  /** YYYY-MM-DD, UTC, inclusive */
  to?: string;
}

export interface AuditQuery {
  filters: AuditFilters;
  page: number;
  pageSize: number;
  /** filters that could not be used, in words for the page (the CSV route refuses them instead) */
  problems: string[];
}

const isoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)) && new Date(`${v}T00:00:00Z`).toISOString().startsWith(v));
const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\w-]+$/);

type RawParams = URLSearchParams | Record<string, string | string[] | undefined>;

function read(params: RawParams, key: string): string | undefined {
  const value = params instanceof URLSearchParams ? (params.get(key) ?? undefined) : params[key];
  const single = Array.isArray(value) ? value[0] : value;
  const trimmed = single?.trim();
  return trimmed ? trimmed : undefined;
}

/** GET parameters (user, profile, action, from, to, page, size) → filters; unusable values are dropped and reported. */
export function parseAuditQuery(params: RawParams): AuditQuery {
  const problems: string[] = [];
  const filters: AuditFilters = {};
  const user = read(params, "user");
  if (user !== undefined) {
    if (id.safeParse(user).success) filters.user = user;
    else problems.push("The user filter is not a user id.");
  }
  const profile = read(params, "profile");
  if (profile !== undefined) {
    if (id.safeParse(profile).success) filters.profile = profile;
    else problems.push("The profile filter is not a profile id.");
  }
  const action = read(params, "action");
  if (action !== undefined) {
    if (isKnownAction(action)) filters.action = action;
    else problems.push("Unknown action filter.");
  }
  for (const key of ["from", "to"] as const) {
    const value = read(params, key);
    if (value === undefined) continue;
    if (isoDay.safeParse(value).success) filters[key] = value;
    else problems.push(`“${key === "from" ? "From" : "To"}” is not a date (YYYY-MM-DD).`);
  }
  // a range typed the wrong way round still means "between these two days"
  if (filters.from && filters.to && filters.from > filters.to) [filters.from, filters.to] = [filters.to, filters.from];
  const page = z.coerce
    .number()
    .int()
    .min(1)
    .max(1_000_000)
    .catch(1)
    .parse(read(params, "page") ?? 1);
  const size = z.coerce
    .number()
    .int()
    .catch(DEFAULT_PAGE_SIZE)
    .parse(read(params, "size") ?? DEFAULT_PAGE_SIZE);
  const pageSize = (AUDIT_PAGE_SIZES as readonly number[]).includes(size) ? size : DEFAULT_PAGE_SIZE;
  return { filters, page, pageSize, problems };
}

/** The same filters as URL parameters (for pagination links and the CSV link). */
export function auditFilterParams(filters: AuditFilters): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of ["user", "profile", "action", "from", "to"] as const) {
    const value = filters[key];
    if (value) params.set(key, value);
  }
  return params;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function auditWhere(filters: AuditFilters): Prisma.AuditEventWhereInput {
  const where: Prisma.AuditEventWhereInput = {};
  if (filters.user) where.actorId = filters.user;
  if (filters.profile) {
    where.objectType = "profile";
    where.objectId = filters.profile;
  }
  if (filters.action) where.action = filters.action;
  if (filters.from || filters.to) {
    where.at = {
      ...(filters.from ? { gte: new Date(`${filters.from}T00:00:00.000Z`) } : {}),
      // "to" is a whole day: everything before the start of the next one
      ...(filters.to ? { lt: new Date(Date.parse(`${filters.to}T00:00:00.000Z`) + DAY_MS) } : {}),
    };
  }
  return where;
}

// newest first; id breaks ties between events of the same millisecond so pages never overlap
const ORDER: Prisma.AuditEventOrderByWithRelationInput[] = [{ at: "desc" }, { id: "desc" }];

const EVENT_SELECT = {
  id: true,
  at: true,
  actorId: true,
  actorLabel: true,
  action: true,
  objectType: true,
  objectId: true,
  objectLabel: true,
  detail: true,
  ip: true,
} as const;

export interface AuditDetailView {
  /** a Test's outcome */
  result?: { ok: boolean; summary: string };
  /** a profile save's changed fields, in the admin's words */
  changes: string[];
  facts: { label: string; value: string }[];
}

export interface AuditEventItem {
  id: string;
  at: string;
  actorId: string | null;
  actorLabel: string;
  action: string;
  actionLabel: string;
  object: { type: string; id: string | null; label: string | null; href: string | null } | null;
  detail: AuditDetailView | null;
  ip: string | null;
}

export interface AuditPage {
  items: AuditEventItem[];
  total: number;
  page: number;
  pageSize: number;
  pageCount: number;
}

const factLabels: Record<string, string> = {
  revision: "Revision",
  from: "From",
  to: "To",
  with: "With",
  level: "Access",
  reason: "Reason",
  draft: "Unsaved draft",
  keySize: "Key size",
  validityDays: "Valid (days)",
  format: "Format",
  role: "Role",
  name: "Name",
  expiresAt: "Link expires",
  replacedPending: "Replaced an earlier link",
  invitedBy: "Invited by",
  sessionsEnded: "Sessions ended",
  profilesHandedOver: "Profiles handed over",
  certificatesHandedOver: "Certificates handed over",
  sharesRemoved: "Shares removed",
  handedTo: "Handed to",
  secretsCopied: "Secrets copied",
};

const humanize = (key: string) =>
  factLabels[key] ??
  key
    .replace(/_/g, " ")
    .replace(/([a-z])([A-Z])/g, "$1 $2")
    .replace(/^./, (c) => c.toUpperCase());

function factValue(value: unknown): string {
  if (typeof value === "boolean") return value ? "yes" : "no";
  // timestamps in a detail (an invitation's expiry) read like the rest of the page: minutes, UTC
  if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(value))
    return `${value.slice(0, 16).replace("T", " ")} UTC`;
  if (typeof value === "string" || typeof value === "number") return String(value);
  if (Array.isArray(value)) return value.map(factValue).join(", ");
  return JSON.stringify(value);
}

/** The stored JSON detail, arranged for reading: changes as a list, a Test result, then the rest. */
export function describeDetail(json: string | null): AuditDetailView | null {
  if (!json) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return { changes: [], facts: [{ label: "Detail", value: json }] };
  }
  if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed))
    return { changes: [], facts: [{ label: "Detail", value: factValue(parsed) }] };
  const detail = parsed as Record<string, unknown>;
  const view: AuditDetailView = { changes: [], facts: [] };
  if (Array.isArray(detail.changes)) view.changes = detail.changes.map(factValue);
  if (typeof detail.ok === "boolean")
    view.result = { ok: detail.ok, summary: typeof detail.summary === "string" ? detail.summary : "" };
  for (const [key, value] of Object.entries(detail)) {
    if (key === "changes" && Array.isArray(value)) continue;
    if (view.result && (key === "ok" || key === "summary")) continue;
    if (value === null || value === undefined || value === "") continue;
    view.facts.push({ label: humanize(key), value: factValue(value) });
  }
  if (view.changes.length === 0 && !view.result && view.facts.length === 0) return null;
  return view;
}

/** Links for objects that still exist: one query per object type for the whole page. */
async function existingObjects(rows: { objectType: string | null; objectId: string | null }[]) {
  const ids = (type: string) => [...new Set(rows.filter((r) => r.objectType === type && r.objectId).map((r) => r.objectId!))];
  const [profiles, certificates] = await Promise.all([
    prisma.profile.findMany({ where: { id: { in: ids("profile") } }, select: { id: true } }),
    prisma.certificate.findMany({ where: { id: { in: ids("certificate") } }, select: { id: true } }),
  ]);
  return { profiles: new Set(profiles.map((p) => p.id)), certificates: new Set(certificates.map((c) => c.id)) };
}

export async function listAuditEvents(
  actor: CurrentUser,
  query: Pick<AuditQuery, "filters" | "page" | "pageSize">,
): Promise<AuditPage> {
  requireAbility(actor, "viewAudit", NOT_ALLOWED);
  const where = auditWhere(query.filters);
  const pageSize = (AUDIT_PAGE_SIZES as readonly number[]).includes(query.pageSize) ? query.pageSize : DEFAULT_PAGE_SIZE;
  const total = await prisma.auditEvent.count({ where });
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(Math.max(1, Math.floor(query.page)), pageCount);
  const rows = await prisma.auditEvent.findMany({
    where,
    orderBy: ORDER,
    skip: (page - 1) * pageSize,
    take: pageSize,
    select: EVENT_SELECT,
  });
  const existing = await existingObjects(rows);
  const items = rows.map((row): AuditEventItem => {
    let href: string | null = null;
    if (row.objectId && row.objectType === "profile" && existing.profiles.has(row.objectId)) href = `/profiles/${row.objectId}`;
    if (row.objectId && row.objectType === "certificate" && existing.certificates.has(row.objectId))
      href = `/certificates/${row.objectId}`;
    return {
      id: row.id,
      at: row.at.toISOString(),
      actorId: row.actorId,
      actorLabel: row.actorLabel,
      action: row.action,
      actionLabel: actionLabel(row.action),
      object: row.objectType ? { type: row.objectType, id: row.objectId, label: row.objectLabel, href } : null,
      detail: describeDetail(row.detail),
      ip: row.ip,
    };
  });
  return { items, total, page, pageSize, pageCount };
}

/**
 * Every matching event for the CSV download, newest first, fetched in batches with a keyset cursor
 * so a large log streams in constant memory and rows added meanwhile do not shift the batches.
 */
export async function* auditEventsForExport(
  actor: CurrentUser,
  filters: AuditFilters,
  batchSize = 500,
): AsyncGenerator<AuditCsvEvent[]> {
  requireAbility(actor, "viewAudit", NOT_ALLOWED);
  const where = auditWhere(filters);
  let cursor: string | undefined;
  for (;;) {
    const rows = await prisma.auditEvent.findMany({
      where,
      orderBy: ORDER,
      take: batchSize,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
      select: EVENT_SELECT,
    });
    if (rows.length === 0) return;
    yield rows.map((row) => ({ ...row, at: row.at.toISOString(), actionLabel: actionLabel(row.action) }));
    if (rows.length < batchSize) return;
    cursor = rows[rows.length - 1]!.id;
  }
}

export interface AuditFilterOptions {
  users: { id: string; label: string }[];
  profiles: { id: string; label: string }[];
  actions: { value: AuditAction; label: string }[];
}

/**
 * Choices for the filter form: current users and profiles. A filter naming a removed user or a
 * deleted profile (e.g. from a bookmarked link) is kept as a choice, labelled from its latest event.
 */
export async function auditFilterOptions(actor: CurrentUser, filters: AuditFilters): Promise<AuditFilterOptions> {
  requireAbility(actor, "viewAudit", NOT_ALLOWED);
  const [users, profiles] = await Promise.all([
    prisma.user.findMany({ select: { id: true, name: true, email: true }, orderBy: { name: "asc" } }),
    prisma.profile.findMany({ select: { id: true, name: true }, orderBy: { nameKey: "asc" } }),
  ]);
  const userOptions = users.map((u) => ({ id: u.id, label: `${u.name} <${u.email}>` }));
  const profileOptions = profiles.map((p) => ({ id: p.id, label: p.name }));
  if (filters.user && !userOptions.some((u) => u.id === filters.user)) {
    const last = await prisma.auditEvent.findFirst({
      where: { actorId: filters.user },
      orderBy: ORDER,
      select: { actorLabel: true },
    });
    userOptions.unshift({ id: filters.user, label: `${last?.actorLabel ?? "Unknown user"} (removed)` });
  }
  if (filters.profile && !profileOptions.some((p) => p.id === filters.profile)) {
    const last = await prisma.auditEvent.findFirst({
      where: { objectType: "profile", objectId: filters.profile },
      orderBy: ORDER,
      select: { objectLabel: true },
    });
    profileOptions.unshift({ id: filters.profile, label: `${last?.objectLabel ?? "Unknown profile"} (deleted)` });
  }
  return {
    users: userOptions,
    profiles: profileOptions,
    actions: AUDIT_ACTIONS.map((value) => ({ value, label: AUDIT_ACTION_LABELS[value] })),
  };
}
