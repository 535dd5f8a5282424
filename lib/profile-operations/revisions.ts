import "server-only";
import { prisma } from "@/lib/db/client";
import { parseStoredDocument, storedSecretFlags } from "@/lib/db/profiles";
import { requireProfile } from "@/lib/auth/access";
import type { CurrentUser } from "@/lib/auth/session";
import { AppError } from "@/lib/errors";
import { documentToInput } from "@/lib/profiles/document";
import {
  MISSING_SECRETS_ALLOWED,
  overwriteProfile,
  requireCertificateUse,
  savedInput,
  validateProfileInput,
  type SavedProfile,
} from "@/lib/profile-operations/profile-service";
import { compareRevisions, type FieldRow, type SecretFingerprints } from "@/lib/profiles/revision-diff";
import { secretFields, type StoredSecretFlags } from "@/lib/profiles/secret-fields";
import { secretsInUse } from "@/lib/profiles/summary";

export interface RevisionSummary {
  number: number;
  createdAt: string;
  authorLabel: string;
  action: string;
  summary: string;
}

export async function listRevisions(
  profileId: string,
  actor: CurrentUser,
): Promise<{ name: string; version: number; revisions: RevisionSummary[] }> {
  const access = await requireProfile(actor, profileId, "history");
  const rows = await prisma.profileRevision.findMany({
    where: { profileId },
    orderBy: { number: "desc" },
    select: { number: true, createdAt: true, authorLabel: true, action: true, summary: true },
  });
  return {
    name: access.name,
    version: access.version,
    revisions: rows.map((r) => ({ ...r, createdAt: r.createdAt.toISOString() })),
  };
}

async function revisionSide(profileId: string, number: number) {
  const row = await prisma.profileRevision.findUnique({
    where: { profileId_number: { profileId, number } },
    select: { configJson: true, secretFingerprints: true },
  });
  if (!row) throw new AppError("not_found", `Revision ${number} does not exist.`);
  return { document: parseStoredDocument(row.configJson), secrets: JSON.parse(row.secretFingerprints) as SecretFingerprints };
}

/** Two revisions side by side; secrets only as "changed" / "unchanged". */
export async function compareProfileRevisions(
  profileId: string,
  from: number,
  to: number,
  actor: CurrentUser,
): Promise<FieldRow[]> {
  await requireProfile(actor, profileId, "history");
  return compareRevisions(await revisionSide(profileId, from), await revisionSide(profileId, to));
}

/**
 * Restores an old configuration as a NEW revision (history is never rewritten). Secrets are not kept
 * per revision, so the current ones stay while the old configuration points where they were saved
 * to go; one bound to other destinations is removed. A secret the old configuration needs and the
 * profile no longer holds is left for the admin to supply (the Test and the form ask for it).
 */
export async function restoreRevision(
  profileId: string,
  number: number,
  expectedVersion: number,
  actor: CurrentUser,
): Promise<SavedProfile> {
  await requireProfile(actor, profileId, "restore");
  const revision = await revisionSide(profileId, number);
  const input = documentToInput(revision.document);
  const stored = await storedSecretFlags(profileId);
  const flags: StoredSecretFlags = { ...stored };
  for (const field of secretFields) flags[field] = stored[field] || MISSING_SECRETS_ALLOWED[field];
  const valid = validateProfileInput(input, flags);
  requireCertificateUse(actor, valid, await savedInput(profileId));
  const saved = await prisma.$transaction((tx) =>
    overwriteProfile(tx, profileId, expectedVersion, valid, actor, {
      action: "restored",
      extra: { restoredFrom: number },
      retargetedSecrets: "drop",
    }),
  );
  return { id: saved.id, version: saved.version };
}

/** Secrets the saved configuration needs but the profile does not hold (after an import or a restore). */
export async function missingSecrets(profileId: string) {
  const row = await prisma.profile.findUnique({ where: { id: profileId }, select: { configJson: true } });
  if (!row) return [];
  const input = documentToInput(parseStoredDocument(row.configJson));
  const stored = await storedSecretFlags(profileId);
  return secretsInUse(input.authentication).filter((field) => !stored[field]);
}
