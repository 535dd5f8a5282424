import "server-only";
import { prisma, type Tx } from "@/lib/db/client";
import { decryptSecret } from "@/lib/crypto/secrets";
import { profileDocumentSchema, documentToInput, type ProfileDocument } from "@/lib/profiles/document";
import type { ProfileInput } from "@/lib/profiles/schema";
import { noStoredSecrets, secretFields, type SecretField, type StoredSecretFlags } from "@/lib/profiles/secret-fields";
import type { Prisma } from "@/generated/prisma/client";
import { profileLevel, visibleProfilesWhere } from "@/lib/auth/access";
import { effectiveLevel, type ShareLevel } from "@/lib/auth/permissions";
import type { CurrentUser } from "@/lib/auth/session";

/** What the profiles list shows: no configuration details, never a secret. */
export interface ProfileListItem {
  id: string;
  /** the signed-in user's level on it */
  level: ShareLevel;
  name: string;
  protocol: "imap" | "pop3";
  host: string;
  port: number;
  username: string;
  authLabel: string;
  updatedAt: string;
  lastTest: { at: string; ok: boolean; summary: string; failingSince: string | null } | null;
}

/** What the edit form gets: the configuration, and for each secret only whether one is stored. */
export interface ProfileForEdit {
  id: string;
  version: number;
  level: ShareLevel;
  ownerId: string | null;
  updatedAt: string;
  input: ProfileInput;
}

export const sortableColumns = ["name", "protocol", "host", "username", "authLabel", "updatedAt", "lastTestAt"] as const;
export type SortColumn = (typeof sortableColumns)[number];

export interface ListQuery {
  search?: string;
  sort?: SortColumn;
  direction?: "asc" | "desc";
  page?: number;
  pageSize?: number;
}

export const PAGE_SIZES = [10, 25, 50, 100] as const;

export function secretContext(profileId: string, field: SecretField) {
  return `profile:${profileId}:${field}`;
}

export function parseStoredDocument(configJson: string): ProfileDocument {
  // Stored documents were validated when saved; parsing again keeps a hand-edited database from
  // reaching the form in a shape it does not expect.
  return profileDocumentSchema.parse(JSON.parse(configJson));
}

/** The host as the admin typed it (IDN stays readable), without scheme or port. */
function displayHost(doc: ProfileDocument): string {
  const text = doc.connection.mailServerUrl.replace(/^[a-z0-9+.-]+:\/\//i, "").replace(/\/$/, "");
  const v6 = /^\[[^\]]+\]/.exec(text);
  if (v6) return v6[0];
  return text.split(":")[0] ?? text;
}

export async function listProfiles(user: CurrentUser, query: ListQuery = {}) {
  const pageSize = PAGE_SIZES.includes(query.pageSize as (typeof PAGE_SIZES)[number]) ? query.pageSize! : 25;
  const search = query.search?.trim().toLowerCase().slice(0, 200);
  const visible = visibleProfilesWhere(user);
  const where: Prisma.ProfileWhereInput = search ? { AND: [visible, { searchText: { contains: search } }] } : visible;
  const sort = query.sort && sortableColumns.includes(query.sort) ? query.sort : "name";
  const column = sort === "name" ? "nameKey" : sort;
  const direction: "asc" | "desc" = query.direction === "desc" ? "desc" : "asc";
  const total = await prisma.profile.count({ where });
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(Math.max(1, Math.floor(query.page ?? 1)), pageCount);
  const rows = await prisma.profile.findMany({
    where,
    // id as a tie-breaker keeps pages stable when many rows share a value
    orderBy: [
      column === "lastTestAt" ? { lastTestAt: { sort: direction, nulls: "last" } } : { [column]: direction },
      { id: "asc" },
    ],
    skip: (page - 1) * pageSize,
    take: pageSize,
    select: {
      id: true,
      name: true,
      protocol: true,
      port: true,
      username: true,
      authLabel: true,
      updatedAt: true,
      configJson: true,
      lastTestAt: true,
      lastTestOk: true,
      lastTestSummary: true,
      failingSince: true,
      ownerId: true,
      shares: { where: { granteeKey: { in: [user.id, "*"] } }, select: { granteeKey: true, level: true } },
    },
  });
  const items: ProfileListItem[] = rows.map((row) => ({
    id: row.id,
    level:
      effectiveLevel(user, { ownerId: row.ownerId, shares: row.shares as { granteeKey: string; level: ShareLevel }[] }) ?? "use",
    name: row.name,
    protocol: row.protocol as ProfileListItem["protocol"],
    host: displayHost(JSON.parse(row.configJson) as ProfileDocument),
    port: row.port,
    username: row.username,
    authLabel: row.authLabel,
    updatedAt: row.updatedAt.toISOString(),
    lastTest:
      row.lastTestAt && row.lastTestOk !== null
        ? {
            at: row.lastTestAt.toISOString(),
            ok: row.lastTestOk,
            summary: row.lastTestSummary ?? "",
            failingSince: row.failingSince?.toISOString() ?? null,
          }
        : null,
  }));
  return { items, total, page, pageSize, pageCount, sort, direction, search: search ?? "" };
}

export async function storedSecretFlags(profileId: string, db: Tx | typeof prisma = prisma): Promise<StoredSecretFlags> {
  const rows = await db.profileSecret.findMany({ where: { profileId }, select: { field: true } });
  const flags = { ...noStoredSecrets };
  for (const row of rows) if ((secretFields as readonly string[]).includes(row.field)) flags[row.field as SecretField] = true;
  return flags;
}

/** The profile as its edit page shows it, or null when it does not exist or is not visible to this user. */
export async function getProfileForEdit(id: string, user: CurrentUser): Promise<ProfileForEdit | null> {
  const access = await profileLevel(user, id);
  if (!access) return null;
  const row = await prisma.profile.findUnique({
    where: { id },
    select: { id: true, version: true, updatedAt: true, configJson: true, ownerId: true },
  });
  if (!row) return null;
  const input = documentToInput(parseStoredDocument(row.configJson));
  input.secrets.stored = await storedSecretFlags(id);
  return {
    id: row.id,
    version: row.version,
    updatedAt: row.updatedAt.toISOString(),
    input,
    level: access.level,
    ownerId: row.ownerId,
  };
}

export async function getProfileName(id: string, user: CurrentUser): Promise<string | null> {
  return (await profileLevel(user, id))?.name ?? null;
}

/**
 * Decrypted secrets of one profile with the destinations each was saved with (ProfileSecret.destination),
 * for the Test, which may use a secret only where it is bound. Server-side only, like readProfileSecrets.
 */
export async function readBoundProfileSecrets(
  profileId: string,
): Promise<{ field: SecretField; value: string; destination: string | null }[]> {
  const rows = await prisma.profileSecret.findMany({
    where: { profileId },
    select: { field: true, ciphertext: true, destination: true },
  });
  return rows.map((row) => {
    const field = row.field as SecretField;
    return { field, value: decryptSecret(row.ciphertext, secretContext(profileId, field)), destination: row.destination };
  });
}

/**
 * Decrypted secrets of one profile, for server-side use only (token exchange, login, encrypted
 * export). Never pass the result to a client component or an action response.
 */
export async function readProfileSecrets(profileId: string): Promise<Partial<Record<SecretField, string>>> {
  const rows = await prisma.profileSecret.findMany({ where: { profileId }, select: { field: true, ciphertext: true } });
  const out: Partial<Record<SecretField, string>> = {};
  for (const row of rows) {
    const field = row.field as SecretField;
    out[field] = decryptSecret(row.ciphertext, secretContext(profileId, field));
  }
  return out;
}
