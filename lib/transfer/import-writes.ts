import "server-only";
import crypto from "node:crypto";
import type { Tx } from "@/lib/db/client";
import { secretContext } from "@/lib/db/profiles";
import { encryptSecret, fingerprintSecret } from "@/lib/crypto/secrets";
import type { ImportedCertificate } from "@/lib/certs/import";
import { inputToDocument } from "@/lib/profiles/document";
import { parseMailServerUrl } from "@/lib/profiles/mail-server-url";
import { resolveConnection, type ProfileInput } from "@/lib/profiles/schema";
import { secretFields } from "@/lib/profiles/secret-fields";
import { authLabel, nameKey, secretsInUse, typedSecrets } from "@/lib/profiles/summary";

/**
 * The database writes of an import, all inside the caller's transaction.
 *
 * Why not createProfile/updateProfile: they open their own transaction on the global client, so
 * ten of them cannot be one all-or-nothing import (SQLite would also block the nested writer).
 * These functions mirror, column for column, profile-service.ts (columnsFor, applySecretChanges)
 * and certificate-store.ts (store) — validation is NOT mirrored: apply-import runs every input
 * through profile-service's validateProfileInput first. Once profile-service and the certificate
 * store accept a transaction client, this file should go (see the transfer report).
 */

/** profile-service.ts columnsFor: the denormalised columns beside the stored document. */
export function profileColumns(input: ProfileInput) {
  const resolved = resolveConnection(input.connection);
  const parsed = parseMailServerUrl(input.connection.mailServerUrl);
  const host = resolved?.address.host ?? "";
  const typedHost = parsed.ok ? input.connection.mailServerUrl.trim().toLowerCase() : "";
  const username = input.authentication.username.trim();
  const name = input.name.trim();
  const auth = input.authentication;
  const storedCertificate = auth.type === "oauth2" && auth.method === "client_certificate" && auth.certificate.source === "stored";
  return {
    name,
    nameKey: nameKey(name),
    protocol: input.connection.protocol,
    host,
    port: resolved?.port ?? 0,
    username,
    authLabel: authLabel(auth),
    searchText: `${name} ${typedHost} ${host} ${username}`.toLowerCase(),
    configJson: JSON.stringify(inputToDocument(input)),
    certificateId: storedCertificate ? auth.certificate.certificateId : null,
  };
}

/**
 * profile-service.ts applySecretChanges: typed secrets in use are written (encrypted, bound to the
 * profile and field), secrets the configuration no longer uses are deleted, and a secret the file
 * left out keeps whatever the profile already stores (nothing, for a new profile).
 */
export async function writeProfileSecrets(tx: Tx, profileId: string, input: ProfileInput) {
  const typed = typedSecrets(input);
  const inUse = new Set(secretsInUse(input.authentication));
  for (const field of secretFields) {
    const value = typed[field];
    if (value && inUse.has(field)) {
      const data = { ciphertext: encryptSecret(value, secretContext(profileId, field)), fingerprint: fingerprintSecret(value) };
      await tx.profileSecret.upsert({ where: { profileId_field: { profileId, field } }, create: { profileId, field, ...data }, update: data });
    } else if (!inUse.has(field)) {
      await tx.profileSecret.deleteMany({ where: { profileId, field } });
    }
  }
}

/** certificate-store.ts keyContext: the additional data the stored private key is bound to. */
const certificateKeyContext = (id: string) => `certificate:${id}:private_key`;

/** The first free certificate name: the subject's CN, then "CN (2)", "CN (3)", … */
export async function freeCertificateName(tx: Tx, subject: string): Promise<string> {
  const cn = /(?:^|,\s*)CN=([^,]+)/.exec(subject)?.[1]?.trim();
  const base = (cn || "Imported certificate").slice(0, 90);
  for (let n = 1; n < 1000; n++) {
    const candidate = n === 1 ? base : `${base} (${n})`;
    if (!(await tx.certificate.findUnique({ where: { nameKey: nameKey(candidate) }, select: { id: true } }))) return candidate;
  }
  return `${base} ${crypto.randomUUID().slice(0, 8)}`;
}

/** certificate-store.ts store(): a checked certificate and key (importPemCertificate's result) as a stored certificate. */
export async function insertCertificate(tx: Tx, id: string, name: string, material: ImportedCertificate) {
  const d = material.certificate;
  await tx.certificate.create({
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
      certificatePem: material.certificatePem,
      chainPem: material.chainPem?.length ? material.chainPem.join("") : null,
      privateKeyCiphertext: encryptSecret(material.privateKeyPem, certificateKeyContext(id)),
      source: "pem",
    },
  });
}
