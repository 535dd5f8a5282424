import "server-only";
import crypto from "node:crypto";
import { prisma, type Tx } from "@/lib/db/client";
import { parseStoredDocument, secretContext, storedSecretFlags } from "@/lib/db/profiles";
import { decryptSecret, encryptSecret, fingerprintSecret } from "@/lib/crypto/secrets";
import { AppError } from "@/lib/errors";
import { audit } from "@/lib/audit/record";
import { requireAbility, requireProfile } from "@/lib/auth/access";
import { roleAbilities } from "@/lib/auth/permissions";
import { actorOf, type CurrentUser } from "@/lib/auth/session";
import { certificateExists } from "@/lib/certs/certificate-store";
import { tokenCache } from "@/lib/oauth/token-cache";
import { documentToInput, inputToDocument, type ProfileDocument } from "@/lib/profiles/document";
import { parseMailServerUrl } from "@/lib/profiles/mail-server-url";
import { describeChange, summarizeChanges, type SecretFingerprints } from "@/lib/profiles/revision-diff";
import { nameSchema, profileSchema, resolveConnection, type ProfileInput } from "@/lib/profiles/schema";
import { noStoredSecrets, secretFields, type SecretField, type StoredSecretFlags } from "@/lib/profiles/secret-fields";
import {
  bindingFor,
  retargetError,
  retargetedParts,
  serializeBinding,
  storedBinding,
  type SecretBinding,
} from "@/lib/profile-operations/secret-binding";
import { authLabel, nameKey, secretsInUse, typedSecrets } from "@/lib/profiles/summary";
import { fieldErrorsFrom } from "@/lib/profiles/validation-errors";

export interface SavedProfile {
  id: string;
  version: number;
}

export type RevisionAction = "created" | "updated" | "restored" | "imported" | "duplicated";

const NAME_TAKEN = "A profile with this name already exists (names are compared without regard to case)";

/** Validates on the server with the form's own schema, against the secrets actually stored. */
export function validateProfileInput(input: unknown, stored: StoredSecretFlags): ProfileInput {
  const candidate = structuredCloneSafe(input);
  if (
    candidate &&
    typeof candidate === "object" &&
    "secrets" in candidate &&
    candidate.secrets &&
    typeof candidate.secrets === "object"
  ) {
    (candidate.secrets as { stored: unknown }).stored = stored;
  }
  const parsed = profileSchema.safeParse(candidate);
  if (!parsed.success) {
    throw new AppError(
      "invalid_input",
      "Some fields need attention: see the messages beside them.",
      fieldErrorsFrom(parsed.error),
    );
  }
  return parsed.data;
}

/**
 * Import and restore save a profile even when a secret it needs is not at hand (the file left it out,
 * or the revision's secret is no longer stored): the profile is kept, and the Test asks for it.
 */
export const MISSING_SECRETS_ALLOWED = Object.fromEntries(secretFields.map((f) => [f, true])) as StoredSecretFlags;

function structuredCloneSafe(value: unknown): unknown {
  try {
    return structuredClone(value);
  } catch {
    return undefined;
  }
}

const usesStoredCertificate = (input: ProfileInput) =>
  input.authentication.type === "oauth2" &&
  input.authentication.method === "client_certificate" &&
  input.authentication.certificate.source === "stored";

/** The denormalised columns beside the stored document (list, search, sort without parsing JSON). */
export function profileColumns(input: ProfileInput) {
  const resolved = resolveConnection(input.connection);
  const parsed = parseMailServerUrl(input.connection.mailServerUrl);
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

const USE_CERTIFICATES_MESSAGE =
  "Signing with a stored certificate needs a role that may use certificates (Editor or above): it opens every mailbox its app may read. Ask an admin, or keep the saved certificate and destinations.";

/**
 * A stored certificate signs for whoever may use it, wherever the profile points: a grant as strong
 * as reading every mailbox its app may open. So attaching one, or pointing a profile that uses one
 * at other destinations, needs the role that may use certificates; a viewer with an Edit share may
 * change everything else, and test the saved configuration as saved.
 */
export function requireCertificateUse(actor: CurrentUser, input: ProfileInput, saved: ProfileInput | null): void {
  if (!usesStoredCertificate(input) || roleAbilities.useCertificates(actor.role)) return;
  const unchanged =
    saved !== null &&
    usesStoredCertificate(saved) &&
    saved.authentication.certificate.certificateId === input.authentication.certificate.certificateId &&
    retargetedParts(bindingFor(saved, "private_key"), input, "private_key").length === 0;
  if (!unchanged)
    throw new AppError("forbidden", USE_CERTIFICATES_MESSAGE, {
      "authentication.certificate.certificateId": USE_CERTIFICATES_MESSAGE,
    });
}

/** A profile may only point at a certificate that exists (the form's list may be stale). */
async function checkCertificateReference(input: ProfileInput, db: Tx | typeof prisma = prisma) {
  if (usesStoredCertificate(input) && !(await certificateExists(input.authentication.certificate.certificateId, db))) {
    const message = "This certificate no longer exists: choose another one";
    throw new AppError("invalid_input", "Some fields need attention: see the messages beside them.", {
      "authentication.certificate.certificateId": message,
    });
  }
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === "object" && error !== null && (error as { code?: string }).code === "P2002";
}

async function writeSecret(tx: Tx, profileId: string, field: SecretField, value: string, binding: SecretBinding) {
  const data = {
    ciphertext: encryptSecret(value, secretContext(profileId, field)),
    fingerprint: fingerprintSecret(value),
    destination: serializeBinding(binding),
  };
  await tx.profileSecret.upsert({
    where: { profileId_field: { profileId, field } },
    create: { profileId, field, ...data },
    update: data,
  });
}

/**
 * What happens to a stored secret that the new configuration would send somewhere else:
 * `refuse` (a save from the form or the API: the secret must be typed again, the save is refused
 * with a field error) or `drop` (restore and import: the old configuration or the file decides
 * where the profile points, and the secret bound elsewhere is removed — the profile then asks for it).
 */
export type RetargetedSecrets = "refuse" | "drop";

/**
 * The secret part of a save: typed values replace stored ones (bound to the new destinations),
 * "clear" removes them, blank keeps them — only while the destinations they were saved with are
 * unchanged — and secrets the new configuration does not use are deleted rather than left behind.
 * Returns the secrets dropped because they were bound elsewhere.
 */
async function applySecretChanges(
  tx: Tx,
  profileId: string,
  input: ProfileInput,
  saved: ProfileInput | null,
  retargeted: RetargetedSecrets,
): Promise<SecretField[]> {
  const typed = typedSecrets(input);
  const inUse = new Set(secretsInUse(input.authentication));
  const stored = saved
    ? await tx.profileSecret.findMany({ where: { profileId }, select: { field: true, destination: true } })
    : [];
  const errors: Record<string, string> = {};
  const dropped: SecretField[] = [];
  for (const field of secretFields) {
    if (typed[field] && inUse.has(field)) {
      await writeSecret(tx, profileId, field, typed[field], bindingFor(input, field));
      continue;
    }
    if (!inUse.has(field) || input.secrets.clear.includes(field)) {
      await tx.profileSecret.deleteMany({ where: { profileId, field } });
      continue;
    }
    const row = stored.find((r) => r.field === field);
    if (!row || !saved) continue;
    const parts = retargetedParts(storedBinding(row.destination, field, saved), input, field);
    if (parts.length === 0) continue;
    if (retargeted === "drop") {
      await tx.profileSecret.deleteMany({ where: { profileId, field } });
      dropped.push(field);
    } else {
      const [path, message] = retargetError(input, field, parts);
      errors[path] = message;
    }
  }
  if (Object.keys(errors).length > 0) {
    throw new AppError(
      "invalid_input",
      "A destination changed: type the secret again to save (see the message beside it).",
      errors,
    );
  }
  return dropped;
}

async function secretFingerprints(tx: Tx, profileId: string): Promise<SecretFingerprints> {
  const rows = await tx.profileSecret.findMany({ where: { profileId }, select: { field: true, fingerprint: true } });
  return Object.fromEntries(rows.map((r) => [r.field, r.fingerprint])) as SecretFingerprints;
}

/** Records the revision (and its audit event) of a save, in the save's own transaction. */
async function recordRevision(
  tx: Tx,
  profileId: string,
  number: number,
  actor: CurrentUser,
  action: RevisionAction,
  previous: { document: ProfileDocument; secrets: SecretFingerprints } | null,
  extra?: Record<string, unknown>,
) {
  const row = await tx.profile.findUniqueOrThrow({ where: { id: profileId }, select: { configJson: true, name: true } });
  const document = parseStoredDocument(row.configJson);
  const secrets = await secretFingerprints(tx, profileId);
  const changes = previous ? summarizeChanges(previous, { document, secrets }).map(describeChange) : [];
  const summary = previous
    ? changes.join("; ") || "No changes"
    : action === "duplicated"
      ? "Created as a copy"
      : action === "imported"
        ? "Imported"
        : "Created";
  await tx.profileRevision.create({
    data: {
      id: crypto.randomUUID(),
      profileId,
      number,
      configJson: row.configJson,
      secretFingerprints: JSON.stringify(secrets),
      authorId: actor.id === "cli" ? null : actor.id,
      authorLabel: actorOf(actor).label,
      action,
      summary: summary.slice(0, 2000),
    },
  });
  const auditAction =
    action === "created"
      ? "profile.created"
      : action === "duplicated"
        ? "profile.duplicated"
        : action === "restored"
          ? "profile.restored"
          : action === "imported"
            ? "profile.imported"
            : "profile.updated";
  await audit(
    {
      actor: auditActor(actor),
      action: auditAction,
      object: { type: "profile", id: profileId, label: row.name },
      detail: { revision: number, changes, ...extra },
    },
    tx,
  );
}

export const auditActor = (actor: CurrentUser) => (actor.id === "cli" ? { id: null, label: "mcf CLI" } : actorOf(actor));

async function currentRevisionSide(tx: Tx, profileId: string) {
  const row = await tx.profile.findUnique({ where: { id: profileId }, select: { configJson: true } });
  if (!row) return null;
  return { document: parseStoredDocument(row.configJson), secrets: await secretFingerprints(tx, profileId) };
}

/** Writes a new profile inside the caller's transaction (also used by import). */
export async function insertProfile(
  tx: Tx,
  input: ProfileInput,
  actor: CurrentUser,
  options: { action?: RevisionAction; id?: string; extra?: Record<string, unknown> } = {},
): Promise<SavedProfile> {
  await checkCertificateReference(input, tx);
  const id = options.id ?? crypto.randomUUID();
  await tx.profile.create({ data: { id, ...profileColumns(input), ownerId: actor.id === "cli" ? null : actor.id } });
  await applySecretChanges(tx, id, input, null, "refuse");
  await recordRevision(tx, id, 1, actor, options.action ?? "created", null, options.extra);
  return { id, version: 1 };
}

/**
 * Saves over a profile inside the caller's transaction. The version check and the write are one
 * statement: two saves of the same version cannot both win.
 */
export async function overwriteProfile(
  tx: Tx,
  id: string,
  expectedVersion: number,
  input: ProfileInput,
  actor: CurrentUser,
  options: { action?: RevisionAction; extra?: Record<string, unknown>; retargetedSecrets?: RetargetedSecrets } = {},
): Promise<SavedProfile & { droppedSecrets: SecretField[] }> {
  await checkCertificateReference(input, tx);
  const previous = await currentRevisionSide(tx, id);
  const result = await tx.profile.updateMany({
    where: { id, version: expectedVersion },
    data: { ...profileColumns(input), version: { increment: 1 } },
  });
  if (result.count === 0) {
    const current = await tx.profile.findUnique({ where: { id }, select: { version: true } });
    if (!current) throw new AppError("not_found", "This profile no longer exists: it was deleted by someone else.");
    throw new AppError(
      "version_conflict",
      "Someone saved this profile after you opened it. Reload to see their changes; your edits were not saved.",
    );
  }
  const saved = previous ? documentToInput(previous.document) : null;
  const droppedSecrets = await applySecretChanges(tx, id, input, saved, options.retargetedSecrets ?? "refuse");
  const extra = droppedSecrets.length ? { ...options.extra, secretsRemoved: droppedSecrets } : options.extra;
  await recordRevision(tx, id, expectedVersion + 1, actor, options.action ?? "updated", previous, extra);
  // a cached token was issued for the old settings
  tokenCache.invalidateProfile(id);
  return { id, version: expectedVersion + 1, droppedSecrets };
}

async function withNameCheck<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError("conflict", NAME_TAKEN, { name: NAME_TAKEN });
    throw error;
  }
}

export async function createProfile(raw: unknown, actor: CurrentUser): Promise<SavedProfile> {
  requireAbility(actor, "createProfile", "Viewers cannot create profiles. Ask an admin for the Editor role.");
  const input = validateProfileInput(raw, noStoredSecrets);
  requireCertificateUse(actor, input, null);
  return withNameCheck(() => prisma.$transaction((tx) => insertProfile(tx, input, actor)));
}

export async function updateProfile(
  id: string,
  expectedVersion: number,
  raw: unknown,
  actor: CurrentUser,
): Promise<SavedProfile> {
  await requireProfile(actor, id, "edit");
  const input = validateProfileInput(raw, await storedSecretFlags(id));
  requireCertificateUse(actor, input, await savedInput(id));
  const saved = await withNameCheck(() => prisma.$transaction((tx) => overwriteProfile(tx, id, expectedVersion, input, actor)));
  return { id: saved.id, version: saved.version };
}

/** The saved configuration of a profile in form terms, or null when it does not exist. */
export async function savedInput(id: string, db: Tx | typeof prisma = prisma): Promise<ProfileInput | null> {
  const row = await db.profile.findUnique({ where: { id }, select: { configJson: true } });
  return row ? documentToInput(parseStoredDocument(row.configJson)) : null;
}

export async function deleteProfile(id: string, actor: CurrentUser): Promise<void> {
  const access = await requireProfile(actor, id, "delete");
  tokenCache.invalidateProfile(id);
  await prisma.$transaction(async (tx) => {
    const result = await tx.profile.deleteMany({ where: { id } });
    if (result.count === 0) throw new AppError("not_found", "This profile no longer exists.");
    await audit({ actor: auditActor(actor), action: "profile.deleted", object: { type: "profile", id, label: access.name } }, tx);
  });
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

export async function duplicateProfile(
  id: string,
  options: { name?: string; copySecrets: boolean },
  actor: CurrentUser,
): Promise<SavedProfile> {
  await requireProfile(actor, id, options.copySecrets ? "edit" : "duplicate");
  requireAbility(actor, "createProfile", "Viewers cannot create profiles. Ask an admin for the Editor role.");
  const source = await prisma.profile.findUnique({ where: { id }, select: { name: true, configJson: true } });
  if (!source) throw new AppError("not_found", "This profile no longer exists.");
  const name = options.name?.trim() ? options.name : await freeCopyName(source.name);
  const checked = nameSchema.safeParse(name);
  if (!checked.success) throw new AppError("invalid_input", "Check the new name.", { name: checked.error.issues[0]!.message });
  const input = documentToInput(parseStoredDocument(source.configJson));
  input.name = name;
  return withNameCheck(() =>
    prisma.$transaction(async (tx) => {
      const newId = crypto.randomUUID();
      if (options.copySecrets) {
        // secrets go in before the first revision, so it records their fingerprints
        const secrets = await tx.profileSecret.findMany({
          where: { profileId: id },
          select: { field: true, ciphertext: true, destination: true },
        });
        await tx.profile.create({ data: { id: newId, ...profileColumns(input), ownerId: actor.id === "cli" ? null : actor.id } });
        for (const secret of secrets) {
          const field = secret.field as SecretField;
          // re-encrypted under the copy's own context: ciphertexts are bound to one profile and field
          // the copy has the same configuration, so each secret keeps the destinations it was saved with
          const binding = storedBinding(secret.destination, field, input);
          await writeSecret(tx, newId, field, decryptSecret(secret.ciphertext, secretContext(id, field)), binding);
        }
        await recordRevision(tx, newId, 1, actor, "duplicated", null, { from: source.name, secretsCopied: true });
        return { id: newId, version: 1 };
      }
      return insertProfile(tx, input, actor, {
        action: "duplicated",
        id: newId,
        extra: { from: source.name, secretsCopied: false },
      });
    }),
  );
}
