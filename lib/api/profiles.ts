import "server-only";
import { prisma } from "@/lib/db/client";
import { listProfiles, parseStoredDocument, storedSecretFlags, type ListQuery } from "@/lib/db/profiles";
import { requireAbility, requireProfile } from "@/lib/auth/access";
import type { CurrentUser } from "@/lib/auth/session";
import { AppError, type FieldErrors } from "@/lib/errors";
import { documentToInput, type ProfileDocument } from "@/lib/profiles/document";
import { createProfile, deleteProfile, updateProfile } from "@/lib/profile-operations/profile-service";
import type { ProfileInput } from "@/lib/profiles/schema";
import { secretFieldOfRequestProperty, type SecretField } from "@/lib/profiles/secret-fields";
import { nameKey, secretsInUse } from "@/lib/profiles/summary";
import type { ImportError } from "@/lib/transfer/import-error";
import { jsonPath } from "@/lib/transfer/json-path";
import { checkDocument, SECRET_PATHS } from "@/lib/transfer/read-import-file";
import { inDocumentTerms } from "@/lib/api/errors";
import type { ApiProfile } from "@/lib/api/schemas";

/**
 * Profiles over the API, in mcf-profile document terms. Requests are checked by the same code as an
 * imported file (lib/transfer/read-import-file.ts: strict shape, profile rules, JSON paths), then go
 * through the profile service like a form save, so the API can do nothing the console's own rules
 * would refuse. Responses never contain a secret: the document comes back with every secret null,
 * beside a map of which secrets are stored.
 */

export async function listApiProfiles(user: CurrentUser, query: ListQuery) {
  return listProfiles(user, query);
}

/** The document with every secret set to null, whatever the stored configuration holds. */
function withoutSecrets(document: ProfileDocument): ProfileDocument {
  const copy = structuredClone(document);
  const auth = copy.authentication;
  if (auth.type === "basic") {
    if (auth.password !== undefined) auth.password = null;
    return copy;
  }
  for (const key of Object.keys(auth.requestProperties))
    if (secretFieldOfRequestProperty(key)) auth.requestProperties[key] = null;
  if (auth.certificate && "privateKeyPem" in auth.certificate) {
    auth.certificate.privateKeyPem = null;
    if (auth.certificate.privateKeyPassphrase !== undefined) auth.certificate.privateKeyPassphrase = null;
  }
  return copy;
}

export async function getApiProfile(user: CurrentUser, id: string): Promise<ApiProfile> {
  const access = await requireProfile(user, id, "view");
  const row = await prisma.profile.findUnique({
    where: { id },
    select: {
      id: true,
      version: true,
      updatedAt: true,
      configJson: true,
      lastTestAt: true,
      lastTestOk: true,
      lastTestSummary: true,
      failingSince: true,
    },
  });
  if (!row) throw new AppError("not_found", "This profile does not exist, or it is not shared with you.");
  const document = withoutSecrets(parseStoredDocument(row.configJson));
  const storedSecrets = await storedSecretFlags(id);
  const missingSecrets = secretsInUse(documentToInput(document).authentication).filter((field) => !storedSecrets[field]);
  return {
    id: row.id,
    version: row.version,
    level: access.level,
    updatedAt: row.updatedAt.toISOString(),
    document,
    storedSecrets,
    missingSecrets,
    lastTest:
      row.lastTestAt && row.lastTestOk !== null
        ? {
            at: row.lastTestAt.toISOString(),
            ok: row.lastTestOk,
            summary: row.lastTestSummary ?? "",
            failingSince: row.failingSince?.toISOString() ?? null,
          }
        : null,
  };
}

function importErrorFields(errors: ImportError[]): FieldErrors {
  const fields: FieldErrors = {};
  for (const error of errors) fields[error.path] = fields[error.path] ? `${fields[error.path]}; ${error.message}` : error.message;
  return fields;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * On update, a secret may simply be left out to keep the stored one. The document schema treats a
 * missing secret as "none" (and wants the method's request-property row to exist), so each secret
 * the configuration needs and the body leaves out is put back as null ("keep") before checking;
 * everything else about the body is checked as sent.
 */
function omittedSecretsAsNull(body: unknown): unknown {
  if (!isPlainObject(body) || !isPlainObject(body.authentication)) return body;
  const auth = { ...body.authentication };
  if (auth.type === "basic" && !Object.hasOwn(auth, "password")) auth.password = null;
  if (auth.type === "oauth2") {
    const key =
      auth.method === "client_secret" ? "client_secret" : auth.method === "client_assertion" ? "client_assertion" : undefined;
    if (key && isPlainObject(auth.requestProperties) && !Object.hasOwn(auth.requestProperties, key))
      auth.requestProperties = { ...auth.requestProperties, [key]: null };
    const certificate = auth.certificate;
    if (
      auth.method === "client_certificate" &&
      isPlainObject(certificate) &&
      Object.hasOwn(certificate, "certificatePem") &&
      !Object.hasOwn(certificate, "privateKeyPem")
    ) {
      auth.certificate = { ...certificate, privateKeyPem: null };
    }
  }
  return { ...body, authentication: auth };
}

/** `{"ref": …}` may name a stored certificate by id or by name (docs/PROFILE-FORMAT.md#certificate); the profile keeps the id. */
async function resolveCertificateRef(document: ProfileDocument): Promise<void> {
  const auth = document.authentication;
  if (auth.type !== "oauth2" || auth.method !== "client_certificate" || !auth.certificate || !("ref" in auth.certificate)) return;
  const ref = auth.certificate.ref;
  const found =
    (await prisma.certificate.findUnique({ where: { id: ref }, select: { id: true } })) ??
    (await prisma.certificate.findUnique({ where: { nameKey: nameKey(ref) }, select: { id: true } }));
  if (!found) {
    throw new AppError("invalid_input", "The document needs attention: see `fields`.", {
      [jsonPath(["authentication", "certificate", "ref"])]:
        "No stored certificate has this id or name: add it under Certificates, or send the key material inline",
    });
  }
  auth.certificate.ref = found.id;
}

/** A request body → the form input the profile service validates and saves. */
async function documentInput(body: unknown, mode: "create" | "update"): Promise<ProfileInput> {
  if (body === undefined)
    throw new AppError("invalid_input", "Send an mcf-profile document as the JSON body.", { $: "Required" });
  const checked = checkDocument(mode === "update" ? omittedSecretsAsNull(body) : body, 0, "$");
  if (!checked.document)
    throw new AppError("invalid_input", "The document needs attention: see `fields`.", importErrorFields(checked.errors));
  if (checked.document.encryptedSecrets.length > 0) {
    const message =
      "Encrypted secrets belong in export files: send the file to POST /api/v1/import with its passphrase, or send the value itself here";
    throw new AppError(
      "invalid_input",
      "The document needs attention: see `fields`.",
      Object.fromEntries(checked.document.encryptedSecrets.map((field: SecretField) => [jsonPath(SECRET_PATHS[field]), message])),
    );
  }
  const document = checked.document.document;
  await resolveCertificateRef(document);
  return documentToInput(document);
}

export async function createApiProfile(user: CurrentUser, body: unknown): Promise<ApiProfile> {
  // the caller's role first: a viewer learns nothing from validating documents it may not save
  requireAbility(user, "createProfile", "Viewers cannot create profiles. Ask an admin for the Editor role.");
  const input = await documentInput(body, "create");
  const saved = await createProfile(input, user).catch((error: unknown) => inDocumentTerms(error, input));
  return getApiProfile(user, saved.id);
}

/** Omitted or null secrets keep the stored ones; a string replaces. */
export async function updateApiProfile(user: CurrentUser, id: string, version: number, body: unknown): Promise<ApiProfile> {
  await requireProfile(user, id, "edit");
  const input = await documentInput(body, "update");
  await updateProfile(id, version, input, user).catch((error: unknown) => inDocumentTerms(error, input));
  return getApiProfile(user, id);
}

export async function deleteApiProfile(user: CurrentUser, id: string): Promise<void> {
  await deleteProfile(id, user);
}
