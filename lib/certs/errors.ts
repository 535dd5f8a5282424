import "server-only";

/**
 * Expected failures of the certificate library. Every code has a message written for the admin in
 * front of the Certificates screen: what is wrong and what to do next. Messages never contain key
 * material, passwords or raw parser output, so they are safe to show as they are.
 */
export type CertificateErrorCode =
  | "invalid_input"
  | "bad_certificate"
  | "bad_key"
  | "bad_pfx"
  | "unsupported_pfx"
  | "bad_thumbprint"
  | "passphrase_required"
  | "wrong_password"
  | "weak_passphrase"
  | "key_mismatch"
  | "not_rsa"
  | "weak_key"
  | "expired"
  | "not_yet_valid"
  | "no_key_in_pfx"
  | "no_certificate_in_pfx";

export const defaultCertificateMessages: Record<CertificateErrorCode, string> = {
  invalid_input: "Some of the values are not valid. Check them and try again.",
  bad_certificate:
    "This is not a certificate this console can read. Upload the public certificate as a .cer, .crt or .pem file (DER or PEM).",
  bad_key:
    "This is not a private key this console can read. Provide the key as PEM (BEGIN PRIVATE KEY, BEGIN RSA PRIVATE KEY or BEGIN ENCRYPTED PRIVATE KEY).",
  bad_pfx: "This is not a PKCS#12 file (.pfx/.p12), or the file is damaged. Export it again and upload the new file.",
  unsupported_pfx:
    "This PFX file uses an encryption method this console cannot read. Export it again with AES-256 (for example with OpenSSL 3, or in Windows with 'AES256-SHA256').",
  bad_thumbprint:
    "A certificate thumbprint is 40 hexadecimal characters (SHA-1), as shown in the Azure portal under Certificates & secrets.",
  passphrase_required: "The private key is encrypted. Enter the passphrase that protects it.",
  wrong_password: "The password is not correct for this file. Check it (it is case-sensitive) and try again.",
  weak_passphrase: "Choose a passphrase of at least 8 characters.",
  key_mismatch:
    "The private key does not belong to this certificate. Upload the key that was created together with this certificate.",
  not_rsa:
    "Entra accepts only RSA keys for app certificates. Create or upload a certificate with an RSA key of 2048 bits or more.",
  weak_key:
    "The RSA key is shorter than 2048 bits, which Entra rejects (AADSTS50032). Create a new certificate with a key of 2048 bits or more.",
  expired: "This certificate has expired. Create or upload a certificate that is currently valid.",
  not_yet_valid:
    "This certificate is not valid yet (its start date is in the future). Check the server clock, or use a certificate that is already valid.",
  no_key_in_pfx:
    "The PFX file contains no private key. Export it again with the private key included ('Yes, export the private key' in Windows).",
  no_certificate_in_pfx: "The PFX file contains no certificate. Export it again with the certificate included.",
};

export class CertificateError extends Error {
  readonly userMessage: string;

  constructor(
    readonly code: CertificateErrorCode,
    userMessage: string = defaultCertificateMessages[code],
    options?: { cause?: unknown },
  ) {
    super(userMessage, options);
    this.name = "CertificateError";
    this.userMessage = userMessage;
  }
}

export function isCertificateError(error: unknown): error is CertificateError {
  return error instanceof CertificateError;
}
