import "server-only";
import { createHash } from "node:crypto";
import { CertificateError } from "@/lib/certs/errors";
import { readCertificate } from "@/lib/certs/read-certificate";

export interface CertificateThumbprints {
  /** SHA-1 of the DER bytes, uppercase hex without separators: what the Azure portal shows. */
  sha1Hex: string;
  /** base64url (no padding) of the SHA-1: the JWT `x5t` header of a client assertion. */
  x5t: string;
  /** SHA-256 of the DER bytes, uppercase hex without separators. */
  sha256Hex: string;
  /** base64url (no padding) of the SHA-256: the JWT `x5t#S256` header (PS256 assertions). */
  x5tS256: string;
}

// Copying a thumbprint out of the Windows certificate dialog brings along an invisible
// left-to-right mark; pasted text can also carry zero-width spaces or a BOM.
const INVISIBLE = /[\u200B-\u200F\u202A-\u202E\u2060\uFEFF]/g;
// Tool output pasted whole: "SHA1 Fingerprint=84:E0:…" (openssl), "Thumbprint: 84E0…" (PowerShell).
const LABEL = /^[\w\s#()-]*?(?:fingerprint|thumbprint)\s*[:=]\s*/i;

/**
 * Normalises a hex thumbprint as people paste it (colons, spaces, dashes, lower case, invisible
 * characters, an "SHA1 Fingerprint=" prefix) to uppercase hex without separators.
 *
 * Returns undefined, rather than throwing, when the text is not a SHA-1 (40 hex digits) or
 * SHA-256 (64 hex digits) thumbprint, so form validation can use it directly.
 */
export function normalizeHexThumbprint(text: string): string | undefined {
  if (typeof text !== "string" || text.length > 200) return undefined;
  const hex = text
    .replace(INVISIBLE, "")
    .trim()
    .replace(LABEL, "")
    .replace(/[\s:-]/g, "")
    .toUpperCase();
  if (!/^[0-9A-F]+$/.test(hex) || (hex.length !== 40 && hex.length !== 64)) return undefined;
  return hex;
}

function hexToBase64Url(text: string, length: 40 | 64, name: string): string {
  const hex = normalizeHexThumbprint(text);
  if (hex?.length !== length) {
    const hint =
      hex?.length === 64 && length === 40
        ? "This looks like a SHA-256 thumbprint; the x5t header needs the SHA-1 thumbprint (40 hexadecimal characters)."
        : hex?.length === 40 && length === 64
          ? "This looks like a SHA-1 thumbprint; x5t#S256 needs the SHA-256 thumbprint (64 hexadecimal characters)."
          : `A ${name} thumbprint is ${length} hexadecimal characters${length === 40 ? ", as shown in the Azure portal under Certificates & secrets" : ""}.`;
    throw new CertificateError("bad_thumbprint", hint);
  }
  return Buffer.from(hex, "hex").toString("base64url");
}

/**
 * SHA-1 hex thumbprint → `x5t` value (base64url of the 20 raw bytes, no padding).
 * Throws CertificateError("bad_thumbprint") for anything that is not a SHA-1 thumbprint.
 */
export function hexThumbprintToX5t(hex: string): string {
  return hexToBase64Url(hex, 40, "SHA-1");
}

/** SHA-256 hex thumbprint → `x5t#S256` value. Throws CertificateError("bad_thumbprint"). */
export function hexThumbprintToX5tS256(hex: string): string {
  return hexToBase64Url(hex, 64, "SHA-256");
}

export function thumbprintsOfDer(der: Buffer): CertificateThumbprints {
  const sha1 = createHash("sha1").update(der).digest();
  const sha256 = createHash("sha256").update(der).digest();
  return {
    sha1Hex: sha1.toString("hex").toUpperCase(),
    x5t: sha1.toString("base64url"),
    sha256Hex: sha256.toString("hex").toUpperCase(),
    x5tS256: sha256.toString("base64url"),
  };
}

/**
 * Thumbprints of a certificate (PEM, DER bytes or base64 DER; the first one of a bundle), computed
 * over its DER encoding exactly as supplied. Throws CertificateError("bad_certificate").
 */
export function certificateThumbprints(certificatePemOrDer: string | Uint8Array): CertificateThumbprints {
  return thumbprintsOfDer(readCertificate(certificatePemOrDer).der);
}
