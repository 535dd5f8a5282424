import "server-only";
import { X509Certificate } from "node:crypto";
import { expectUniversal, isContext, oidOf, readFirst, sequence, Tag, timeOf } from "@/lib/certs/der";
import { CertificateError } from "@/lib/certs/errors";
import { asBuffer, asText, decodeBase64Text, inputSize, MAX_INPUT_BYTES, parsePemBlocks } from "@/lib/certs/pem";

export interface ParsedCertificate {
  /** The certificate's DER bytes exactly as supplied: thumbprints are computed over these. */
  der: Buffer;
  x509: X509Certificate;
  notBefore: Date;
  notAfter: Date;
  signatureAlgorithmOid: string;
  /** Issuer and subject names are the same encoding. */
  selfIssued: boolean;
}

// "TRUSTED CERTIFICATE" is OpenSSL's certificate-plus-trust-settings form; the certificate is its
// first element, so it reads like the others once the trailing trust data is dropped.
const CERTIFICATE_LABELS = new Set(["CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE"]);

function badCertificate(message?: string, cause?: unknown): CertificateError {
  return new CertificateError("bad_certificate", message, { cause });
}

export function parseCertificateDer(bytes: Buffer): ParsedCertificate {
  try {
    // Copy the slice so the certificate does not pin a whole uploaded file in memory.
    const der = Buffer.from(readFirst(bytes).raw);
    const [tbs, signatureAlgorithm] = sequence(readFirst(der), "Certificate");
    const tbsFields = sequence(tbs, "TBSCertificate");
    // version is an optional [0]; serial, signature, issuer, validity, subject follow in that order
    const first = isContext(tbsFields[0], 0) ? 1 : 0;
    const issuer = expectUniversal(tbsFields[first + 2], Tag.sequence, "issuer");
    const [notBefore, notAfter] = sequence(tbsFields[first + 3], "Validity");
    const subject = expectUniversal(tbsFields[first + 4], Tag.sequence, "subject");
    return {
      der,
      x509: new X509Certificate(der),
      notBefore: timeOf(notBefore, "notBefore"),
      notAfter: timeOf(notAfter, "notAfter"),
      signatureAlgorithmOid: oidOf(sequence(signatureAlgorithm, "AlgorithmIdentifier")[0]),
      selfIssued: issuer.raw.equals(subject.raw),
    };
  } catch (error) {
    throw badCertificate(undefined, error);
  }
}

function explainNonCertificatePem(labels: string[]): string | undefined {
  if (labels.some((label) => label === "PKCS7" || label === "CMS"))
    return "This is a PKCS#7 bundle (.p7b). Export the certificate alone as a .cer file (Base-64 or DER), or upload the .pfx instead.";
  if (labels.some((label) => label.endsWith("PRIVATE KEY")))
    return "This is a private key, not a certificate. Upload the certificate file (.cer, .crt or .pem).";
  if (labels.some((label) => label.includes("CERTIFICATE REQUEST")))
    return "This is a certificate signing request (CSR), not a certificate. Upload the certificate that was issued for it.";
  if (labels.includes("PUBLIC KEY"))
    return "This is a bare public key, not a certificate. Upload the certificate file (.cer, .crt or .pem).";
  return undefined;
}

/**
 * Every certificate in the input, in order: PEM (one or a bundle), DER bytes, or base64 DER text.
 * Throws CertificateError("bad_certificate") unless at least one certificate is readable and all
 * certificate blocks are.
 */
export function readCertificates(input: string | Uint8Array): ParsedCertificate[] {
  if (typeof input !== "string" && !(input instanceof Uint8Array)) throw badCertificate();
  if (inputSize(input) > MAX_INPUT_BYTES)
    throw badCertificate("This file is too large to be a certificate. Upload the certificate alone (.cer, .crt or .pem).");
  const text = asText(input);
  // asText gives undefined only for binary (so non-string) input
  if (text === undefined) return [parseCertificateDer(asBuffer(input as Uint8Array))];
  if (text.trim() === "")
    throw badCertificate("No certificate was provided. Upload or paste the certificate (.cer, .crt or .pem).");
  if (text.includes("-----BEGIN")) {
    const blocks = parsePemBlocks(text);
    const certificates = blocks.filter((block) => CERTIFICATE_LABELS.has(block.label));
    if (certificates.length === 0) throw badCertificate(explainNonCertificatePem(blocks.map((block) => block.label)));
    return certificates.map((block) => {
      if (!block.der)
        throw badCertificate("The certificate's PEM text is damaged. Copy it again, including the BEGIN and END lines.");
      return parseCertificateDer(block.der);
    });
  }
  const der = decodeBase64Text(text);
  if (!der) throw badCertificate();
  return [parseCertificateDer(der)];
}

/** The first certificate of the input (the leaf, in a conventional bundle). */
export function readCertificate(input: string | Uint8Array): ParsedCertificate {
  return readCertificates(input)[0]!;
}
