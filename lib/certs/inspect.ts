import "server-only";
import { keyAlgorithmOf, keySizeOf, type KeyAlgorithm } from "@/lib/certs/keys";
import { readCertificate, type ParsedCertificate } from "@/lib/certs/read-certificate";
import { thumbprintsOfDer, type CertificateThumbprints } from "@/lib/certs/thumbprints";

export type ExpiryStatus = "valid" | "expiring_soon" | "expired" | "not_yet_valid";

export interface CertificateDescription {
  /** Distinguished name in encoding order, e.g. "CN=mail-connector, O=Contoso" (OpenSSL/Azure style). */
  subject: string;
  issuer: string;
  /** Uppercase hex, as OpenSSL and Windows show it. */
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  keyAlgorithm: KeyAlgorithm;
  /** Modulus bits for RSA; curve size for EC. */
  keySize: number | undefined;
  /** For EC keys: the OpenSSL curve name, e.g. "prime256v1". */
  namedCurve?: string;
  /** OpenSSL-style name, e.g. "sha256WithRSAEncryption"; the dotted OID when unknown. */
  signatureAlgorithm: string;
  selfSigned: boolean;
  thumbprints: CertificateThumbprints;
  /** Whole days from `now` to notAfter, rounded down; negative once expired. */
  daysUntilExpiry: number;
  expiryStatus: ExpiryStatus;
}

/** Certificates that expire within this many days are flagged so there is time to roll them over in Entra. */
export const EXPIRING_SOON_DAYS = 30;
const DAY_MS = 86_400_000;

const SIGNATURE_ALGORITHMS: Record<string, string> = {
  "1.2.840.113549.1.1.4": "md5WithRSAEncryption",
  "1.2.840.113549.1.1.5": "sha1WithRSAEncryption",
  "1.2.840.113549.1.1.10": "rsassaPss",
  "1.2.840.113549.1.1.11": "sha256WithRSAEncryption",
  "1.2.840.113549.1.1.12": "sha384WithRSAEncryption",
  "1.2.840.113549.1.1.13": "sha512WithRSAEncryption",
  "1.2.840.113549.1.1.14": "sha224WithRSAEncryption",
  "1.2.840.10045.4.1": "ecdsa-with-SHA1",
  "1.2.840.10045.4.3.1": "ecdsa-with-SHA224",
  "1.2.840.10045.4.3.2": "ecdsa-with-SHA256",
  "1.2.840.10045.4.3.3": "ecdsa-with-SHA384",
  "1.2.840.10045.4.3.4": "ecdsa-with-SHA512",
  "1.3.101.112": "ED25519",
  "1.3.101.113": "ED448",
  "1.2.840.10040.4.3": "dsaWithSHA1",
  "2.16.840.1.101.3.4.3.2": "dsa_with_SHA256",
};

export function expiryStatusAt(notBefore: Date, notAfter: Date, now: Date): ExpiryStatus {
  const t = now.getTime();
  if (t < notBefore.getTime()) return "not_yet_valid";
  if (t > notAfter.getTime()) return "expired";
  if (notAfter.getTime() - t <= EXPIRING_SOON_DAYS * DAY_MS) return "expiring_soon";
  return "valid";
}

// node:crypto prints names one attribute per line, already escaped per RFC 4514 (so a comma inside
// a value arrives as "\,"): joining with ", " gives the familiar one-line form.
function oneLine(name: string): string {
  return name.split("\n").filter(Boolean).join(", ");
}

/**
 * Self-signed = issuer and subject are the same name and the certificate's own key verifies its
 * signature. Not X509Certificate.checkIssued(): OpenSSL also demands the keyCertSign key usage
 * there, which app certificates (digitalSignature, keyEncipherment) rightly lack.
 */
function isSelfSigned(certificate: ParsedCertificate): boolean {
  try {
    return certificate.selfIssued && certificate.x509.verify(certificate.x509.publicKey);
  } catch {
    // e.g. a signature algorithm OpenSSL cannot verify: not provably self-signed
    return false;
  }
}

export function describeParsedCertificate(certificate: ParsedCertificate, now: Date = new Date()): CertificateDescription {
  const { x509, notBefore, notAfter } = certificate;
  const publicKey = x509.publicKey;
  const namedCurve = publicKey.asymmetricKeyDetails?.namedCurve;
  return {
    subject: oneLine(x509.subject),
    issuer: oneLine(x509.issuer),
    serialNumber: x509.serialNumber.toUpperCase(),
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
    keyAlgorithm: keyAlgorithmOf(publicKey),
    keySize: keySizeOf(publicKey),
    ...(namedCurve ? { namedCurve } : {}),
    signatureAlgorithm: SIGNATURE_ALGORITHMS[certificate.signatureAlgorithmOid] ?? certificate.signatureAlgorithmOid,
    selfSigned: isSelfSigned(certificate),
    thumbprints: thumbprintsOfDer(certificate.der),
    daysUntilExpiry: Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS),
    expiryStatus: expiryStatusAt(notBefore, notAfter, now),
  };
}

/**
 * What the Certificates screen shows about a certificate: PEM (the first certificate of a bundle),
 * DER bytes or base64 DER. Throws CertificateError("bad_certificate") for unreadable input.
 */
export function describeCertificate(certificatePem: string | Uint8Array, now: Date = new Date()): CertificateDescription {
  return describeParsedCertificate(readCertificate(certificatePem), now);
}
