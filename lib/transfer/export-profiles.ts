import "server-only";
import { prisma } from "@/lib/db/client";
import { requireProfile, visibleProfilesWhere } from "@/lib/auth/access";
import { audit } from "@/lib/audit/record";
import { auditActor } from "@/lib/profile-operations/profile-service";
import type { CurrentUser } from "@/lib/auth/session";
import { parseStoredDocument, secretContext } from "@/lib/db/profiles";
import { decryptSecret } from "@/lib/crypto/secrets";
import { readCertificateKeyMaterial } from "@/lib/certs/certificate-store";
import { AppError } from "@/lib/errors";
import { documentToInput, inputToDocument, type DocumentSecrets, type ProfileDocument } from "@/lib/profiles/document";
import { secretFields, type SecretField } from "@/lib/profiles/secret-fields";
import { secretsInUse } from "@/lib/profiles/summary";
import { IMPORT_LIMITS } from "@/lib/transfer/import-error";
import { checkExportPassphrase, deriveEnvelopeKey, sealSecret, type EnvelopeKey } from "@/lib/transfer/passphrase-envelope";

/**
 * Export of profiles as mcf-profile documents (docs/PROFILE-FORMAT.md): one object for one profile, a
 * JSON array for several. Secrets are left out as null ("supply on import") unless the admin asks
 * for them, and then only ever encrypted under a passphrase (lib/transfer/passphrase-envelope.ts);
 * nothing secret is ever written in clear.
 *
 * A stored certificate travels with the profile that references it: `{"ref": id}` means nothing in
 * another installation, so the document carries `{certificatePem, privateKeyPem}` instead, the key
 * null or encrypted like any other secret. It is written without `privateKeyPassphrase` (a stored
 * key is kept unencrypted inside the store's own encryption), which is what tells the importer to
 * put it back into the certificate store rather than into the profile (see parse-import.ts).
 *
 * Callers check that the admin may see every profile asked for, and audit the export.
 */
export type ExportOptions = { includeSecrets: false } | { includeSecrets: true; passphrase: string };

export interface ExportResult {
  /** suggested download name */
  fileName: string;
  /** the file: pretty-printed JSON with a final newline */
  json: string;
  /** the same documents as objects (secrets null or encrypted) */
  documents: ProfileDocument[];
}

// SQLite and PostgreSQL both cap bound parameters per statement; 500 ids stay far below either.
const CHUNK = 500;

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

interface ProfileRow {
  id: string;
  name: string;
  configJson: string;
}

async function readRows(ids: string[] | "all", actor: CurrentUser): Promise<ProfileRow[]> {
  const select = { id: true, name: true, configJson: true } as const;
  // "all" means all the profiles this user can see
  if (ids === "all")
    return prisma.profile.findMany({ where: visibleProfilesWhere(actor), select, orderBy: [{ nameKey: "asc" }, { id: "asc" }] });
  const unique = [...new Set(ids)];
  if (unique.length === 0) throw new AppError("invalid_input", "Choose at least one profile to export.");
  if (unique.length > IMPORT_LIMITS.maxDocuments) {
    throw new AppError(
      "too_large",
      `Export at most ${IMPORT_LIMITS.maxDocuments.toLocaleString("en-US")} profiles per file: that is what an import accepts.`,
    );
  }
  const found = new Map<string, ProfileRow>();
  for (const part of chunks(unique)) {
    for (const row of await prisma.profile.findMany({
      where: { AND: [{ id: { in: part } }, visibleProfilesWhere(actor)] },
      select,
    }))
      found.set(row.id, row);
  }
  const missing = unique.filter((id) => !found.has(id));
  if (missing.length > 0) {
    throw new AppError(
      "not_found",
      `${missing.length === 1 ? "One of the chosen profiles no longer exists" : `${missing.length} of the chosen profiles no longer exist`}: reload the list and export again.`,
    );
  }
  // the admin's order (e.g. the list as sorted on screen), not the database's
  return unique.map((id) => found.get(id)!);
}

async function readSecrets(ids: string[]): Promise<Map<string, Partial<Record<SecretField, string>>>> {
  const out = new Map<string, Partial<Record<SecretField, string>>>();
  for (const part of chunks(ids)) {
    const rows = await prisma.profileSecret.findMany({
      where: { profileId: { in: part } },
      select: { profileId: true, field: true, ciphertext: true },
    });
    for (const row of rows) {
      if (!(secretFields as readonly string[]).includes(row.field)) continue;
      const field = row.field as SecretField;
      const secrets = out.get(row.profileId) ?? {};
      secrets[field] = decryptSecret(row.ciphertext, secretContext(row.profileId, field));
      out.set(row.profileId, secrets);
    }
  }
  return out;
}

/** Which secrets a profile has stored, without reading their values (export without secrets). */
async function readSecretFlags(ids: string[]): Promise<Map<string, Set<string>>> {
  const out = new Map<string, Set<string>>();
  for (const part of chunks(ids)) {
    for (const row of await prisma.profileSecret.findMany({
      where: { profileId: { in: part } },
      select: { profileId: true, field: true },
    })) {
      out.set(row.profileId, (out.get(row.profileId) ?? new Set()).add(row.field));
    }
  }
  return out;
}

function slug(name: string): string {
  const text = name
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60);
  return text || "profile";
}

export async function exportProfiles(ids: string[] | "all", options: ExportOptions, actor: CurrentUser): Promise<ExportResult> {
  if (options.includeSecrets) {
    const problem = checkExportPassphrase(options.passphrase);
    if (problem) throw new AppError("invalid_input", `${problem}.`, { passphrase: problem });
  }
  const rows = await readRows(ids, actor);
  if (rows.length === 0) throw new AppError("not_found", "There are no profiles to export.");
  // an encrypted export carries the secrets: whoever picks its passphrase can read them back
  if (options.includeSecrets) for (const row of rows) await requireProfile(actor, row.id, "exportSecrets");
  if (rows.length > IMPORT_LIMITS.maxDocuments) {
    throw new AppError(
      "too_large",
      `Export at most ${IMPORT_LIMITS.maxDocuments.toLocaleString("en-US")} profiles per file: that is what an import accepts.`,
    );
  }
  const profileIds = rows.map((r) => r.id);
  // One salt and one scrypt run for the whole file (see passphrase-envelope.ts).
  const key: EnvelopeKey | undefined = options.includeSecrets ? await deriveEnvelopeKey(options.passphrase) : undefined;
  const secrets = key ? await readSecrets(profileIds) : undefined;
  const flags = key ? undefined : await readSecretFlags(profileIds);
  const certificates = new Map<string, { certificatePem: string; privateKeyPem: string | null }>();

  const documents: ProfileDocument[] = [];
  for (const row of rows) {
    const input = documentToInput(parseStoredDocument(row.configJson));
    const stored = secrets?.get(row.id) ?? {};
    const has = (field: SecretField) => (secrets ? stored[field] !== undefined : (flags?.get(row.id)?.has(field) ?? false));
    const values: DocumentSecrets = {};
    for (const field of secretsInUse(input.authentication)) {
      if (has(field)) values[field] = key ? { encrypted: sealSecret(stored[field]!, key, field) } : null;
      // "" says "this key has no passphrase", so the importer does not ask for one
      else values[field] = field === "private_key_passphrase" ? "" : null;
    }
    const document = inputToDocument(input, values);

    const auth = input.authentication;
    if (
      auth.type === "oauth2" &&
      auth.method === "client_certificate" &&
      auth.certificate.source === "stored" &&
      document.authentication.type === "oauth2"
    ) {
      const certificateId = auth.certificate.certificateId;
      let material = certificates.get(certificateId);
      if (!material) {
        // the key is read (and decrypted) only when it will leave encrypted under the passphrase
        const found = key
          ? await readCertificateKeyMaterial(certificateId)
          : await prisma.certificate
              .findUnique({ where: { id: certificateId }, select: { certificatePem: true } })
              .then((c) => c && { ...c, privateKeyPem: null });
        if (!found)
          throw new AppError(
            "not_found",
            `The certificate of "${row.name}" no longer exists: choose another one in the profile, then export again.`,
          );
        material = found;
        certificates.set(certificateId, found);
      }
      document.authentication.certificate = {
        certificatePem: material.certificatePem,
        privateKeyPem:
          key && material.privateKeyPem !== null ? { encrypted: sealSecret(material.privateKeyPem, key, "private_key") } : null,
      };
    }
    documents.push(document);
  }

  const json = `${JSON.stringify(documents.length === 1 ? documents[0] : documents, null, 2)}\n`;
  if (Buffer.byteLength(json, "utf8") > IMPORT_LIMITS.maxBytes) {
    throw new AppError(
      "too_large",
      `The export would be larger than ${IMPORT_LIMITS.maxBytes / (1024 * 1024)} MB, which an import refuses: export fewer profiles per file.`,
    );
  }
  const date = new Date().toISOString().slice(0, 10);
  const fileName = documents.length === 1 ? `${slug(documents[0]!.name)}.mcf-profile.json` : `mcf-profiles-${date}.json`;
  await audit({
    actor: auditActor(actor),
    action: "profile.exported",
    object: { type: "export", label: fileName },
    detail: { count: documents.length, includeSecrets: options.includeSecrets, profiles: rows.slice(0, 50).map((r) => r.name) },
  });
  return { fileName, json, documents };
}
