import "server-only";
import crypto from "node:crypto";
import { prisma, type Tx } from "@/lib/db/client";
import { audit } from "@/lib/audit/record";
import { requireAbility, visibleProfilesWhere } from "@/lib/auth/access";
import { actorOf, type CurrentUser } from "@/lib/auth/session";
import { isAdmin } from "@/lib/auth/permissions";
import { decryptSecret, encryptSecret } from "@/lib/crypto/secrets";
import { AppError } from "@/lib/errors";
import { exportEncryptedPkcs8, exportPfx, MIN_PASSPHRASE_LENGTH } from "@/lib/certs/export";
import { generateSelfSignedCertificate, type GeneratedKeySize } from "@/lib/certs/generate";
import { importPemCertificate, importPfx } from "@/lib/certs/import";
import { describeCertificate, type CertificateDescription } from "@/lib/certs/inspect";
import { isCertificateError } from "@/lib/certs/errors";
import { nameKey } from "@/lib/profiles/summary";

/** What lists and pickers show about a stored certificate. */
export interface CertificateSummary {
  id: string;
  name: string;
  subject: string;
  sha1Hex: string;
  notBefore: string;
  notAfter: string;
  expiryStatus: CertificateDescription["expiryStatus"];
  daysUntilExpiry: number;
  profileCount: number;
}

/** The details screen: everything public about the certificate, never the private key. */
export interface CertificateDetails extends CertificateSummary {
  createdById: string | null;
  issuer: string;
  serialNumber: string;
  keySize: number;
  signatureAlgorithm: string;
  selfSigned: boolean;
  x5t: string;
  sha256Hex: string;
  x5tS256: string;
  source: string;
  createdAt: string;
  certificatePem: string;
  profiles: { id: string; name: string }[];
}

export const certificateKeyContext = (id: string) => `certificate:${id}:private_key`;
const keyContext = certificateKeyContext;
const NAME_TAKEN = "A certificate with this name already exists";

function summaryOf(
  row: { id: string; name: string; certificatePem: string; _count: { profiles: number } },
  now = new Date(),
): CertificateSummary {
  const description = describeCertificate(row.certificatePem, now);
  return {
    id: row.id,
    name: row.name,
    subject: description.subject,
    sha1Hex: description.thumbprints.sha1Hex,
    notBefore: description.notBefore,
    notAfter: description.notAfter,
    expiryStatus: description.expiryStatus,
    daysUntilExpiry: description.daysUntilExpiry,
    profileCount: row._count.profiles,
  };
}

export async function listCertificates(): Promise<CertificateSummary[]> {
  const rows = await prisma.certificate.findMany({
    orderBy: { nameKey: "asc" },
    select: { id: true, name: true, certificatePem: true, _count: { select: { profiles: true } } },
  });
  const now = new Date();
  return rows.map((row) => summaryOf(row, now));
}

/** Details of a certificate; "used by" lists only the profiles this user may see. */
export async function getCertificateDetails(id: string, actor: CurrentUser): Promise<CertificateDetails | null> {
  const row = await prisma.certificate.findUnique({
    where: { id },
    select: {
      id: true,
      name: true,
      certificatePem: true,
      source: true,
      createdAt: true,
      createdById: true,
      _count: { select: { profiles: true } },
      profiles: { where: visibleProfilesWhere(actor), select: { id: true, name: true }, orderBy: { nameKey: "asc" } },
    },
  });
  if (!row) return null;
  const d = describeCertificate(row.certificatePem);
  return {
    ...summaryOf(row),
    createdById: row.createdById,
    issuer: d.issuer,
    serialNumber: d.serialNumber,
    keySize: d.keySize ?? 0,
    signatureAlgorithm: d.signatureAlgorithm,
    selfSigned: d.selfSigned,
    x5t: d.thumbprints.x5t,
    sha256Hex: d.thumbprints.sha256Hex,
    x5tS256: d.thumbprints.x5tS256,
    source: row.source,
    createdAt: row.createdAt.toISOString(),
    certificatePem: row.certificatePem,
    profiles: row.profiles,
  };
}

function checkName(name: string): string {
  // names are checked like profile names: one line, at most 100 characters
  const trimmed = name.trim();
  if (!trimmed) throw new AppError("invalid_input", "Enter a name.", { name: "Enter a name" });
  if (trimmed.length > 100 || /[\x00-\x1f\x7f]/.test(trimmed))
    throw new AppError("invalid_input", "Check the name.", { name: "At most 100 characters, on one line" });
  return trimmed;
}

/** Writes a certificate with its encrypted key; inside a transaction when given one (import). */
export async function storeCertificate(
  db: Tx | typeof prisma,
  input: {
    id?: string;
    name: string;
    source: "generated" | "pem" | "pfx" | "import";
    certificatePem: string;
    privateKeyPem: string;
    chainPem?: string[];
    createdById: string | null;
  },
) {
  const { name, source, certificatePem, privateKeyPem, chainPem } = input;
  const d = describeCertificate(certificatePem);
  const id = input.id ?? crypto.randomUUID();
  try {
    await db.certificate.create({
      data: {
        id,
        name,
        nameKey: nameKey(name),
        subject: d.subject,
        issuer: d.issuer,
        serialNumber: d.serialNumber,
        notBefore: new Date(d.notBefore),
        notAfter: new Date(d.notAfter),
        keySize: d.keySize ?? 0,
        sha1Hex: d.thumbprints.sha1Hex,
        x5t: d.thumbprints.x5t,
        sha256Hex: d.thumbprints.sha256Hex,
        x5tS256: d.thumbprints.x5tS256,
        certificatePem,
        chainPem: chainPem?.length ? chainPem.join("") : null,
        privateKeyCiphertext: encryptSecret(privateKeyPem, keyContext(id)),
        source,
        createdById: input.createdById,
      },
    });
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") throw new AppError("conflict", NAME_TAKEN, { name: NAME_TAKEN });
    throw error;
  }
  return { id };
}

/** Certificate-library refusals are expected: they carry a message that says what to do. */
function asAppError(error: unknown, field: string): never {
  if (isCertificateError(error)) throw new AppError("invalid_input", error.userMessage, { [field]: error.userMessage });
  throw error;
}

const creatorId = (actor: CurrentUser) => (actor.id === "cli" ? null : actor.id);
const certificateActor = (actor: CurrentUser) => (actor.id === "cli" ? { id: null, label: "mcf CLI" } : actorOf(actor));
const CANNOT_MANAGE = "Viewers cannot add certificates. Ask an admin for the Editor role.";

export async function generateCertificate(
  input: { name: string; commonName: string; keySize: GeneratedKeySize; validityDays: number },
  actor: CurrentUser,
) {
  requireAbility(actor, "useCertificates", CANNOT_MANAGE);
  const name = checkName(input.name);
  const generated = await generateSelfSignedCertificate({
    commonName: input.commonName,
    keySize: input.keySize,
    validityDays: input.validityDays,
  }).catch((error) => asAppError(error, "commonName"));
  const saved = await storeCertificate(prisma, { name, source: "generated", ...generated, createdById: creatorId(actor) });
  await audit({
    actor: certificateActor(actor),
    action: "certificate.generated",
    object: { type: "certificate", id: saved.id, label: name },
    detail: { keySize: input.keySize, validityDays: input.validityDays },
  });
  return saved;
}

export async function importCertificateFromPem(
  input: { name: string; certificatePem: string; privateKeyPem: string; passphrase?: string },
  actor: CurrentUser,
) {
  requireAbility(actor, "useCertificates", CANNOT_MANAGE);
  const name = checkName(input.name);
  const result = importPemCertificate({
    certificatePem: input.certificatePem,
    privateKeyPem: input.privateKeyPem || undefined,
    passphrase: input.passphrase || undefined,
  });
  if (!result.ok) {
    const field = /passphrase|password/.test(result.code)
      ? "passphrase"
      : /key|rsa|mismatch/.test(result.code)
        ? "privateKeyPem"
        : "certificatePem";
    throw new AppError("invalid_input", result.message, { [field]: result.message });
  }
  const saved = await storeCertificate(prisma, {
    name,
    source: "pem",
    certificatePem: result.certificatePem,
    privateKeyPem: result.privateKeyPem,
    chainPem: result.chainPem,
    createdById: creatorId(actor),
  });
  await audit({
    actor: certificateActor(actor),
    action: "certificate.imported",
    object: { type: "certificate", id: saved.id, label: name },
    detail: { format: "pem" },
  });
  return saved;
}

export async function importCertificateFromPfx(input: { name: string; pfx: Buffer; password: string }, actor: CurrentUser) {
  requireAbility(actor, "useCertificates", CANNOT_MANAGE);
  const name = checkName(input.name);
  const result = importPfx({ pfx: input.pfx, password: input.password });
  if (!result.ok) {
    const field = /password/.test(result.code) ? "password" : "pfx";
    throw new AppError("invalid_input", result.message, { [field]: result.message });
  }
  const saved = await storeCertificate(prisma, {
    name,
    source: "pfx",
    certificatePem: result.certificatePem,
    privateKeyPem: result.privateKeyPem,
    chainPem: result.chainPem,
    createdById: creatorId(actor),
  });
  await audit({
    actor: certificateActor(actor),
    action: "certificate.imported",
    object: { type: "certificate", id: saved.id, label: name },
    detail: { format: "pfx" },
  });
  return saved;
}

/** Key material for signing client assertions; server-side only, never returned to a browser. */
export async function readCertificateKeyMaterial(id: string): Promise<{ certificatePem: string; privateKeyPem: string } | null> {
  const row = await prisma.certificate.findUnique({
    where: { id },
    select: { certificatePem: true, privateKeyCiphertext: true },
  });
  if (!row) return null;
  return { certificatePem: row.certificatePem, privateKeyPem: decryptSecret(row.privateKeyCiphertext, keyContext(id)) };
}

export async function publicCertificatePem(
  id: string,
  actor: CurrentUser,
  format: string,
): Promise<{ name: string; certificatePem: string } | null> {
  const row = await prisma.certificate.findUnique({ where: { id }, select: { name: true, certificatePem: true } });
  if (row)
    await audit({
      actor: certificateActor(actor),
      action: "certificate.downloaded",
      object: { type: "certificate", id, label: row.name },
      detail: { format },
    });
  return row;
}

/**
 * The private key leaves the console only encrypted with a passphrase the admin chooses, as
 * PKCS#8 or PFX, on explicit request; every export is logged (and audited once sign-in exists).
 */
export async function exportPrivateKey(
  id: string,
  format: "pkcs8" | "pfx",
  passphrase: string,
  actor: CurrentUser,
): Promise<{ name: string; body: Buffer; contentType: string; extension: string }> {
  requireAbility(actor, "exportPrivateKey", "Only owners and admins can export a private key.");
  if (passphrase.length < MIN_PASSPHRASE_LENGTH) {
    throw new AppError("invalid_input", `Choose a passphrase of at least ${MIN_PASSPHRASE_LENGTH} characters.`, {
      passphrase: `At least ${MIN_PASSPHRASE_LENGTH} characters`,
    });
  }
  const material = await readCertificateKeyMaterial(id);
  const row = await prisma.certificate.findUnique({ where: { id }, select: { name: true, chainPem: true } });
  if (!material || !row) throw new AppError("not_found", "This certificate no longer exists.");
  try {
    const body =
      format === "pkcs8"
        ? Buffer.from(exportEncryptedPkcs8(material.privateKeyPem, passphrase))
        : exportPfx({
            certificatePem: material.certificatePem,
            privateKeyPem: material.privateKeyPem,
            password: passphrase,
            friendlyName: row.name,
          });
    await audit({
      actor: certificateActor(actor),
      action: "certificate.key_exported",
      object: { type: "certificate", id, label: row.name },
      detail: { format },
    });
    return format === "pkcs8"
      ? { name: row.name, body, contentType: "application/pkcs8", extension: "key.pem" }
      : { name: row.name, body, contentType: "application/x-pkcs12", extension: "pfx" };
  } catch (error) {
    return asAppError(error, "passphrase");
  }
}

export async function renameCertificate(id: string, name: string, actor: CurrentUser) {
  await requireCertificateManager(id, actor);
  const trimmed = checkName(name);
  try {
    await prisma.certificate.update({ where: { id }, data: { name: trimmed, nameKey: nameKey(trimmed) } });
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") throw new AppError("conflict", NAME_TAKEN, { name: NAME_TAKEN });
    if ((error as { code?: string }).code === "P2025") throw new AppError("not_found", "This certificate no longer exists.");
    throw error;
  }
}

/** Deleting or renaming: owners and admins, or whoever added the certificate. */
async function requireCertificateManager(id: string, actor: CurrentUser) {
  const row = await prisma.certificate.findUnique({ where: { id }, select: { createdById: true } });
  if (!row) throw new AppError("not_found", "This certificate no longer exists.");
  if (!isAdmin(actor.role) && row.createdById !== actor.id)
    throw new AppError("forbidden", "Only an admin or whoever added this certificate can change or delete it.");
}

export async function deleteCertificate(id: string, actor: CurrentUser) {
  await requireCertificateManager(id, actor);
  const used = await prisma.profile.count({ where: { certificateId: id } });
  if (used > 0) {
    throw new AppError(
      "conflict",
      `${used} profile${used === 1 ? " uses" : "s use"} this certificate. Switch ${used === 1 ? "it" : "them"} to another certificate first.`,
    );
  }
  const row = await prisma.certificate.findUnique({ where: { id }, select: { name: true } });
  const result = await prisma.certificate.deleteMany({ where: { id } });
  if (result.count === 0) throw new AppError("not_found", "This certificate no longer exists.");
  await audit({
    actor: certificateActor(actor),
    action: "certificate.deleted",
    object: { type: "certificate", id, label: row?.name },
  });
}

export async function certificateExists(id: string, db: Tx | typeof prisma = prisma): Promise<boolean> {
  return (await db.certificate.count({ where: { id } })) > 0;
}
