import "server-only";
import { CertificateError } from "@/lib/certs/errors";
import { keyBelongsToCertificate } from "@/lib/certs/keys";
import { encodePem } from "@/lib/certs/pem";
import { encryptPrivateKeyInfo, writePfx } from "@/lib/certs/pkcs12";
import { readCertificate, readCertificates } from "@/lib/certs/read-certificate";
import { readPrivateKey } from "@/lib/certs/read-private-key";

export const MIN_PASSPHRASE_LENGTH = 8;
const MAX_PASSPHRASE_LENGTH = 1024;
const MAX_FRIENDLY_NAME = 128;
// PBKDF2-HMAC-SHA256 rounds. The PEM key is read back by OpenSSL/node natively, so it can afford
// many; the PFX uses Java keytool's default, which every PKCS#12 reader handles quickly.
const PKCS8_ITERATIONS = 100_000;
const PFX_ITERATIONS = 10_000;

function requirePassphrase(passphrase: string, what: string): void {
  if (typeof passphrase !== "string" || [...passphrase].length < MIN_PASSPHRASE_LENGTH)
    throw new CertificateError("weak_passphrase", `Choose a ${what} of at least ${MIN_PASSPHRASE_LENGTH} characters.`);
  if (passphrase.length > MAX_PASSPHRASE_LENGTH)
    throw new CertificateError("weak_passphrase", `The ${what} can be at most ${MAX_PASSPHRASE_LENGTH} characters.`);
}

/** DER bytes for a `.cer` download (the form the Entra portal's upload expects most often). */
export function certificateToDer(certificatePem: string | Uint8Array): Buffer {
  return Buffer.from(readCertificate(certificatePem).der);
}

/** Canonical PEM: one certificate, 64-column base64, LF line ends, trailing newline. */
export function certificateToPem(certificate: string | Uint8Array): string {
  return encodePem("CERTIFICATE", readCertificate(certificate).der);
}

/** The certificate's public key as SubjectPublicKeyInfo PEM ("BEGIN PUBLIC KEY"). */
export function publicKeyPem(certificatePem: string | Uint8Array): string {
  return readCertificate(certificatePem).x509.publicKey.export({ type: "spki", format: "pem" }).toString();
}

/**
 * The private key as "BEGIN ENCRYPTED PRIVATE KEY" (PKCS#8, PBES2: PBKDF2-HMAC-SHA256 + AES-256-CBC),
 * for a download that stays protected at rest. Throws CertificateError: weak_passphrase, bad_key.
 */
export function exportEncryptedPkcs8(privateKeyPem: string | Uint8Array, passphrase: string): string {
  requirePassphrase(passphrase, "passphrase");
  const key = readPrivateKey(privateKeyPem);
  const privateKeyInfo = key.export({ type: "pkcs8", format: "der" });
  return encodePem("ENCRYPTED PRIVATE KEY", encryptPrivateKeyInfo(privateKeyInfo, passphrase, { iterations: PKCS8_ITERATIONS }));
}

export interface ExportPfxInput {
  certificatePem: string | Uint8Array;
  privateKeyPem: string | Uint8Array;
  password: string;
  /** Shown by Windows certificate manager; defaults to none. */
  friendlyName?: string;
  /** Intermediate/CA certificates to include after the leaf. */
  chainPem?: string[];
}

/**
 * A .pfx with AES-256 (PBES2) encryption and an HMAC-SHA-256 MAC, like OpenSSL 3 writes. Older
 * readers (Windows Server 2016 and earlier, Java before 8u301) cannot open AES-protected PFX files.
 * Throws CertificateError: weak_passphrase, bad_certificate, bad_key, key_mismatch, invalid_input.
 */
export function exportPfx(input: ExportPfxInput): Buffer {
  requirePassphrase(input.password, "password");
  const friendlyName = input.friendlyName?.trim();
  if (friendlyName && (friendlyName.length > MAX_FRIENDLY_NAME || /[\u0000-\u001F\u007F-\u009F]/.test(friendlyName)))
    throw new CertificateError(
      "invalid_input",
      `The friendly name can be at most ${MAX_FRIENDLY_NAME} characters, without control characters.`,
    );
  const certificate = readCertificate(input.certificatePem);
  const key = readPrivateKey(input.privateKeyPem);
  if (!keyBelongsToCertificate(certificate.x509, key)) throw new CertificateError("key_mismatch");
  const chainDers = (input.chainPem ?? []).flatMap((pem) => readCertificates(pem).map((chain) => chain.der));
  return writePfx({
    certificateDer: certificate.der,
    chainDers,
    privateKey: key,
    password: input.password,
    ...(friendlyName ? { friendlyName } : {}),
    iterations: PFX_ITERATIONS,
  });
}

/**
 * Whether the private key belongs to the certificate (same public key). Throws CertificateError
 * when either cannot be read (bad_certificate, bad_key, passphrase_required, wrong_password), so
 * "false" always means "a different key", never "could not tell".
 */
export function keyMatchesCertificate(
  certificatePem: string | Uint8Array,
  privateKeyPem: string | Uint8Array,
  passphrase?: string,
): boolean {
  return keyBelongsToCertificate(readCertificate(certificatePem).x509, readPrivateKey(privateKeyPem, passphrase));
}
