import "server-only";
import crypto from "node:crypto";
import { prisma, type Tx } from "@/lib/db/client";
import { parseStoredDocument, secretContext, storedSecretFlags } from "@/lib/db/profiles";
import { decryptSecret, encryptSecret, fingerprintSecret } from "@/lib/crypto/secrets";
import { AppError } from "@/lib/errors";
import { certificateExists } from "@/lib/certs/certificate-store";
import { tokenCache } from "@/lib/oauth/token-cache";
import { documentToInput, inputToDocument } from "@/lib/profiles/document";
import { parseMailServerUrl } from "@/lib/profiles/mail-server-url";
import { nameSchema, profileSchema, resolveConnection, type ProfileInput } from "@/lib/profiles/schema";
import { noStoredSecrets, secretFields, type SecretField } from "@/lib/profiles/secret-fields";
import { authLabel, nameKey, secretsInUse, typedSecrets } from "@/lib/profiles/summary";
import { fieldErrorsFrom } from "@/lib/profiles/validation-errors";

export interface SavedProfile {
  id: string;
  version: number;
}

const NAME_TAKEN = "A profile with this name already exists (names are compared without regard to case)";

/** Validates on the server with the form's own schema, against the secrets actually stored. */
export function validateProfileInput(input: unknown, stored: ProfileInput["secrets"]["stored"]): ProfileInput {
  const candidate = structuredCloneSafe(input);
  if (candidate && typeof candidate === "object" && "secrets" in candidate && candidate.secrets && typeof candidate.secrets === "object") {
    (candidate.secrets as { stored: unknown }).stored = stored;
  }
  const parsed = profileSchema.safeParse(candidate);
  if (!parsed.success) {
    throw new AppError("invalid_input", "Some fields need attention: see the messages beside them.", fieldErrorsFrom(parsed.error));
  }
  return parsed.data;
}

function structuredCloneSafe(value: unknown): unknown {
  try {
    return structuredClone(value);
  } catch {
    return undefined;
  }
}

function columnsFor(input: ProfileInput) {
  const resolved = resolveConnection(input.connection);
  const parsed = parseMailServerUrl(input.connection.mailServerUrl);
  // both succeed: the input passed validation
  const host = resolved?.address.host ?? "";
  const typedHost = parsed.ok ? input.connection.mailServerUrl.trim().toLowerCase() : "";
  const username = input.authentication.username.trim();
  const name = input.name.trim();
  return {
    name,
    nameKey: nameKey(name),
    protocol: input.connection.protocol,
    host,
    port: resolved?.port ?? 0,
    username,
    authLabel: authLabel(input.authentication),
    searchText: `${name} ${typedHost} ${host} ${username}`.toLowerCase(),
    configJson: JSON.stringify(inputToDocument(input)),
    certificateId: usesStoredCertificate(input) ? input.authentication.certificate.certificateId : null,
  };
}

const usesStoredCertificate = (input: ProfileInput) =>
  input.authentication.type === "oauth2" && input.authentication.method === "client_certificate" && input.authentication.certificate.source === "stored";

/** A profile may only point at a certificate that exists (the form's list may be stale). */
async function checkCertificateReference(input: ProfileInput) {
  if (usesStoredCertificate(input) && !(await certificateExists(input.authentication.certificate.certificateId))) {
    const message = "This certificate no longer exists: choose another one";
    throw new AppError("invalid_input", "Some fields need attention: see the messages beside them.", { "authentication.certificate.certificateId": message });
  }
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: string }).code === "P2002";
}

async function writeSecret(tx: Tx, profileId: string, field: SecretField, value: string) {
  const data = { ciphertext: encryptSecret(value, secretContext(profileId, field)), fingerprint: fingerprintSecret(value) };
  await tx.profileSecret.upsert({
    where: { profileId_field: { profileId, field } },
    create: { profileId, field, ...data },
    update: data,
  });
}

/**
 * Applies the secret part of a save: typed values replace stored ones, "clear" removes them, blank
 * keeps them, and secrets the new configuration does not use are deleted rather than left behind.
 */
async function applySecretChanges(tx: Tx, profileId: string, input: ProfileInput) {
  const typed = typedSecrets(input);
  const inUse = new Set(secretsInUse(input.authentication));
  for (const field of secretFields) {
    if (typed[field] && inUse.has(field)) await writeSecret(tx, profileId, field, typed[field]);
    else if (!inUse.has(field) || input.secrets.clear.includes(field)) {
      await tx.profileSecret.deleteMany({ where: { profileId, field } });
    }
  }
}

export async function createProfile(raw: unknown): Promise<SavedProfile> {
  const input = validateProfileInput(raw, noStoredSecrets);
  await checkCertificateReference(input);
  const id = crypto.randomUUID();
  try {
    await prisma.$transaction(async (tx) => {
      await tx.profile.create({ data: { id, ...columnsFor(input) } });
      await applySecretChanges(tx, id, input);
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError("conflict", NAME_TAKEN, { name: NAME_TAKEN });
    throw error;
  }
  return { id, version: 1 };
}

export async function updateProfile(id: string, expectedVersion: number, raw: unknown): Promise<SavedProfile> {
  const stored = await storedSecretFlags(id);
  const input = validateProfileInput(raw, stored);
  await checkCertificateReference(input);
  // a cached token was issued for the old settings
  tokenCache.invalidateProfile(id);
  try {
    return await prisma.$transaction(async (tx) => {
      // The version check and the write are one statement: two saves of the same version cannot both win.
      const result = await tx.profile.updateMany({
        where: { id, version: expectedVersion },
        data: { ...columnsFor(input), version: { increment: 1 } },
      });
      if (result.count === 0) {
        const current = await tx.profile.findUnique({ where: { id }, select: { version: true } });
        if (!current) throw new AppError("not_found", "This profile no longer exists: it was deleted by someone else.");
        throw new AppError(
          "version_conflict",
          "Someone saved this profile after you opened it. Reload to see their changes; your edits were not saved.",
        );
      }
      await applySecretChanges(tx, id, input);
      return { id, version: expectedVersion + 1 };
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError("conflict", NAME_TAKEN, { name: NAME_TAKEN });
    throw error;
  }
}

export async function deleteProfile(id: string): Promise<void> {
  tokenCache.invalidateProfile(id);
  const result = await prisma.profile.deleteMany({ where: { id } });
  if (result.count === 0) throw new AppError("not_found", "This profile no longer exists.");
}

/** "Copy of X", then "Copy of X (2)", … : the first name that is free. */
async function freeCopyName(base: string): Promise<string> {
  const stem = `Copy of ${base}`.slice(0, 90);
  for (let n = 1; n < 1000; n++) {
    const candidate = n === 1 ? stem : `${stem} (${n})`;
    const taken = await prisma.profile.findUnique({ where: { nameKey: nameKey(candidate) }, select: { id: true } });
    if (!taken) return candidate;
  }
  return `${stem} ${crypto.randomUUID().slice(0, 8)}`;
}

export async function duplicateProfile(id: string, options: { name?: string; copySecrets: boolean }): Promise<SavedProfile> {
  const source = await prisma.profile.findUnique({ where: { id }, select: { name: true, configJson: true } });
  if (!source) throw new AppError("not_found", "This profile no longer exists.");
  const name = options.name?.trim() ? options.name : await freeCopyName(source.name);
  const checked = nameSchema.safeParse(name);
  if (!checked.success) throw new AppError("invalid_input", "Check the new name.", { name: checked.error.issues[0]!.message });
  const input = documentToInput(parseStoredDocument(source.configJson));
  input.name = name;
  const newId = crypto.randomUUID();
  try {
    await prisma.$transaction(async (tx) => {
      await tx.profile.create({ data: { id: newId, ...columnsFor(input) } });
      if (!options.copySecrets) return;
      const secrets = await tx.profileSecret.findMany({ where: { profileId: id }, select: { field: true, ciphertext: true } });
      for (const secret of secrets) {
        const field = secret.field as SecretField;
        // Re-encrypted under the copy's own context: ciphertexts are bound to one profile and field.
        await writeSecret(tx, newId, field, decryptSecret(secret.ciphertext, secretContext(id, field)));
      }
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError("conflict", NAME_TAKEN, { name: NAME_TAKEN });
    throw error;
  }
  return { id: newId, version: 1 };
}
