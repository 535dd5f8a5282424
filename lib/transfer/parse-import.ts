import "server-only";
import { describeCertificate, type ExpiryStatus } from "@/lib/certs/inspect";
import { importPemCertificate } from "@/lib/certs/import";
import { isCertificateError } from "@/lib/certs/errors";
import { documentSecrets, documentToInput, type ProfileDocument, type SecretValue } from "@/lib/profiles/document";
import { profileSchema, type ProfileInput } from "@/lib/profiles/schema";
import { noStoredSecrets, type SecretField } from "@/lib/profiles/secret-fields";
import { secretsInUse } from "@/lib/profiles/summary";
import { capErrors, type ImportError } from "@/lib/transfer/import-error";
import { inputIssues } from "@/lib/transfer/input-paths";
import { jsonPath } from "@/lib/transfer/json-path";
import { createEnvelopeOpener, type EnvelopeError } from "@/lib/transfer/passphrase-envelope";
import { checkDocument, readImportFile, SECRET_PATHS, type CheckedDocument } from "@/lib/transfer/read-import-file";

/**
 * Second stage of import, on the server: runs the client-safe checks again (never trust the
 * browser's), decrypts `{"encrypted": …}` secrets with the export's passphrase, re-validates the
 * decrypted values, and turns each document into the form input the profile service validates.
 * The result holds secrets in clear: it stays on the server and is never sent to a browser (the
 * plan, lib/transfer/plan-import.ts, is the secret-free view of it).
 */

/**
 * A stored certificate that travelled inline with its profile. apply-import stores it in the
 * certificate store, or reuses a stored certificate with the same SHA-1 thumbprint.
 *
 * Export writes a stored certificate as `{certificatePem, privateKeyPem}` WITHOUT
 * `privateKeyPassphrase`, while key material pasted into a profile always carries
 * `privateKeyPassphrase` (text, null or encrypted; "" when it has none). That is how an import tells
 * the two apart within mcf-profile version 1, so both come back exactly as they were exported.
 */
export interface InlineCertificate {
  certificatePem: string;
  /** the private key in clear (decrypted); null when the export left it out */
  privateKeyPem: string | null;
  /** uppercase hex, as the Azure portal and the certificate store show it */
  sha1Hex: string;
  subject: string;
  notAfter: string;
  expiryStatus: ExpiryStatus;
}

export interface ParsedDocument {
  /** position in the file */
  index: number;
  /** `$` or `$[i]`: where the document sits in the file, for messages */
  path: string;
  name: string;
  /** the configuration as the form edits it, secrets typed in from clear or decrypted values */
  input: ProfileInput;
  /** secrets the configuration uses that the file left out (null: "supply on import") */
  missingSecrets: SecretField[];
  certificate?: InlineCertificate;
  /** inferences made while reading pasted key=value text */
  notes: string[];
}

export type ParseImportResult =
  { ok: true; source: "json" | "properties"; documents: ParsedDocument[] } | { ok: false; errors: ImportError[] };

export interface ParseImportOptions {
  /** the export's passphrase, when the file holds encrypted secrets */
  passphrase?: string;
  /** name for pasted key=value text without a Name= line */
  name?: string;
}

type Clear = Partial<Record<SecretField, string | null>>;

interface Decryption {
  clear: Clear[];
  errors: ImportError[];
}

async function decryptAll(documents: CheckedDocument[], passphrase: string | undefined): Promise<Decryption> {
  const clear: Clear[] = documents.map(() => ({}));
  const errors: ImportError[] = [];
  const failures: { path: string; error: EnvelopeError }[] = [];
  let opened = 0;
  const opener = passphrase ? createEnvelopeOpener(passphrase) : undefined;
  for (const [position, checked] of documents.entries()) {
    const secrets = documentSecrets(checked.document);
    for (const [field, value] of Object.entries(secrets) as [SecretField, SecretValue][]) {
      const path = jsonPath(SECRET_PATHS[field], checked.path);
      if (value === null || typeof value === "string") {
        clear[position]![field] = value;
        continue;
      }
      if (!opener) {
        errors.push({
          path,
          code: "passphrase_required",
          message: "This secret is encrypted: enter the passphrase that was chosen for the export",
        });
        continue;
      }
      const result = await opener.open(value.encrypted, field);
      if (result.ok) {
        opened++;
        clear[position]![field] = result.value;
      } else failures.push({ path, error: result.error });
    }
  }
  for (const { path, error } of failures) {
    if (error.code === "wrong_passphrase") {
      // GCM cannot tell a wrong key from altered bytes; the other secrets of the file can.
      errors.push(
        opened === 0
          ? { path, code: "wrong_passphrase", message: "Wrong passphrase: this secret cannot be decrypted with it" }
          : {
              path,
              code: "damaged_secret",
              message:
                "Cannot be decrypted although the file's other secrets could: the value was altered, or encrypted with another passphrase",
            },
      );
    } else errors.push({ path, code: "damaged_secret", message: error.message });
  }
  return { clear, errors };
}

/** The document with each secret replaced by its clear value (or null), for re-validation and mapping. */
function withClearSecrets(document: ProfileDocument, clear: Clear): ProfileDocument {
  const copy = structuredClone(document);
  const auth = copy.authentication;
  for (const [field, value] of Object.entries(clear) as [SecretField, string | null][]) {
    if (field === "password" && auth.type === "basic") auth.password = value;
    else if ((field === "client_secret" || field === "client_assertion") && auth.type === "oauth2")
      auth.requestProperties[field] = value;
    else if (auth.type === "oauth2" && auth.certificate && "privateKeyPem" in auth.certificate) {
      if (field === "private_key") auth.certificate.privateKeyPem = value;
      if (field === "private_key_passphrase") auth.certificate.privateKeyPassphrase = value;
    }
  }
  return copy;
}

/** Stored-certificate material that travelled inline (see InlineCertificate for how it is recognised). */
function inlineStoredCertificate(
  document: ProfileDocument,
  root: string,
): { certificate?: InlineCertificate; errors: ImportError[] } {
  const auth = document.authentication;
  if (auth.type !== "oauth2" || auth.method !== "client_certificate" || !auth.certificate) return { errors: [] };
  const material = auth.certificate;
  if (!("certificatePem" in material) || "privateKeyPassphrase" in material) return { errors: [] };
  const certificatePath = jsonPath(["authentication", "certificate", "certificatePem"], root);
  let description: ReturnType<typeof describeCertificate>;
  try {
    description = describeCertificate(material.certificatePem);
  } catch (error) {
    if (!isCertificateError(error)) throw error;
    return { errors: [{ path: certificatePath, code: "certificate", message: error.userMessage }] };
  }
  const privateKeyPem =
    typeof material.privateKeyPem === "string" && material.privateKeyPem.trim() ? material.privateKeyPem : null;
  if (privateKeyPem) {
    const checked = importPemCertificate({ certificatePem: material.certificatePem, privateKeyPem });
    // validity dates are judged when the certificate is stored: a certificate already in this
    // console's store is reused whatever its dates
    if (!checked.ok && checked.code !== "expired" && checked.code !== "not_yet_valid") {
      const onKey = /key|mismatch|passphrase|password/.test(checked.code);
      return {
        errors: [
          {
            path: onKey ? jsonPath(["authentication", "certificate", "privateKeyPem"], root) : certificatePath,
            code: "certificate",
            message: checked.message,
          },
        ],
      };
    }
  }
  return {
    errors: [],
    certificate: {
      certificatePem: material.certificatePem,
      privateKeyPem,
      sha1Hex: description.thumbprints.sha1Hex,
      subject: description.subject,
      notAfter: description.notAfter,
      expiryStatus: description.expiryStatus,
    },
  };
}

/** Secrets the configuration uses that the file gave as null. */
function missingSecretsOf(input: ProfileInput, clear: Clear): SecretField[] {
  return secretsInUse(input.authentication).filter((field) => clear[field] === null);
}

export async function parseImportFile(text: string, options: ParseImportOptions = {}): Promise<ParseImportResult> {
  const read = readImportFile(text, { name: options.name });
  if (!read.ok) return read;
  const decryption = await decryptAll(read.documents, options.passphrase || undefined);
  if (decryption.errors.length > 0) return { ok: false, errors: capErrors(decryption.errors) };

  const documents: ParsedDocument[] = [];
  const errors: ImportError[] = [];
  read.documents.forEach((checked, position) => {
    const clear = decryption.clear[position]!;
    const clearDocument = withClearSecrets(checked.document, clear);
    // decrypted values meet the same rules as typed ones (length, control characters, PEM shape)
    const recheck = checkDocument(clearDocument, checked.index, checked.path);
    if (recheck.errors.length > 0) {
      errors.push(...recheck.errors);
      return;
    }
    const inline = inlineStoredCertificate(clearDocument, checked.path);
    if (inline.errors.length > 0) {
      errors.push(...inline.errors);
      return;
    }
    const input = documentToInput(clearDocument);
    const missingSecrets = missingSecretsOf(input, clear);
    // The form's schema adds what the document schema leaves to it: one-line secrets, lengths.
    // A missing secret counts as stored here, as it will when the profile is saved without it.
    const stored = { ...noStoredSecrets };
    for (const field of missingSecrets) stored[field] = true;
    const formCheck = profileSchema.safeParse({ ...input, secrets: { stored, clear: [] } });
    if (!formCheck.success) {
      errors.push(...inputIssues(input, formCheck.error, checked.path));
      return;
    }
    documents.push({
      index: checked.index,
      path: checked.path,
      name: clearDocument.name,
      input,
      missingSecrets,
      ...(inline.certificate ? { certificate: inline.certificate } : {}),
      notes: checked.notes,
    });
  });
  if (errors.length > 0) return { ok: false, errors: capErrors(errors) };
  return { ok: true, source: read.source, documents };
}
