import "server-only";
import type { KeyObject } from "node:crypto";
import { CertificateError, isCertificateError, type CertificateErrorCode } from "@/lib/certs/errors";
import { describeParsedCertificate, type CertificateDescription } from "@/lib/certs/inspect";
import { keyBelongsToCertificate } from "@/lib/certs/keys";
import { asBuffer, asText, encodePem, MAX_INPUT_BYTES, parsePemBlocks } from "@/lib/certs/pem";
import { readPfx } from "@/lib/certs/pkcs12";
import { parseCertificateDer, readCertificates, type ParsedCertificate } from "@/lib/certs/read-certificate";
import { readPrivateKey } from "@/lib/certs/read-private-key";

export type ImportedCertificate = {
  ok: true;
  /** The certificate that belongs to the key, re-wrapped as PEM (same DER bytes as uploaded). */
  certificatePem: string;
  /** Unencrypted PKCS#8: encrypt it before it is stored. */
  privateKeyPem: string;
  /** Any other certificates that came along (intermediates, CA), in the order they were found. */
  chainPem?: string[];
  certificate: CertificateDescription;
};

export type ImportFailure = { ok: false; code: CertificateErrorCode; message: string };

export type CertificateImportResult = ImportedCertificate | ImportFailure;

/** Entra rejects RSA keys below this size with AADSTS50032 (WeakRsaKey). */
export const MIN_RSA_BITS = 2048;
// A certificate made a moment ago on a machine whose clock runs ahead should not be refused.
const CLOCK_SKEW_MS = 5 * 60_000;

function failure(error: CertificateError): ImportFailure {
  return { ok: false, code: error.code, message: error.userMessage };
}

/**
 * Picks the certificate that belongs to one of the keys, then applies Entra's rules: RSA only,
 * at least 2048 bits, currently valid. Checks run in that order so the message names the most
 * fundamental problem first (an EC certificate is "not RSA" whether or not it is also expired).
 */
function choosePair(certificates: ParsedCertificate[], keys: KeyObject[], now: Date): ImportedCertificate {
  let pair: { certificate: ParsedCertificate; key: KeyObject } | undefined;
  for (const key of keys) {
    const certificate = certificates.find((candidate) => keyBelongsToCertificate(candidate.x509, key));
    if (certificate) {
      pair = { certificate, key };
      break;
    }
  }
  if (!pair) {
    if (certificates.every((candidate) => candidate.x509.publicKey.asymmetricKeyType !== "rsa"))
      throw new CertificateError("not_rsa");
    throw new CertificateError("key_mismatch");
  }
  const { certificate, key } = pair;
  const publicKey = certificate.x509.publicKey;
  if (publicKey.asymmetricKeyType !== "rsa") throw new CertificateError("not_rsa");
  const bits = publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < MIN_RSA_BITS)
    throw new CertificateError(
      "weak_key",
      `The RSA key has ${bits} bits; Entra rejects keys shorter than ${MIN_RSA_BITS} bits (AADSTS50032). Create a new certificate with a key of 2048 bits or more.`,
    );
  if (now.getTime() > certificate.notAfter.getTime())
    throw new CertificateError(
      "expired",
      `This certificate expired on ${certificate.notAfter.toISOString().slice(0, 10)}. Create or upload a certificate that is currently valid.`,
    );
  if (now.getTime() + CLOCK_SKEW_MS < certificate.notBefore.getTime())
    throw new CertificateError(
      "not_yet_valid",
      `This certificate is valid only from ${certificate.notBefore.toISOString().replace("T", " ").slice(0, 16)} UTC. Check the server clock, or use a certificate that is already valid.`,
    );

  const seen = new Set([certificate.der.toString("base64")]);
  const chainPem: string[] = [];
  for (const other of certificates) {
    const id = other.der.toString("base64");
    if (seen.has(id)) continue;
    seen.add(id);
    chainPem.push(encodePem("CERTIFICATE", other.der));
  }
  return {
    ok: true,
    certificatePem: encodePem("CERTIFICATE", certificate.der),
    privateKeyPem: key.export({ type: "pkcs8", format: "pem" }).toString(),
    ...(chainPem.length ? { chainPem } : {}),
    certificate: describeParsedCertificate(certificate, now),
  };
}

function validNow(now: Date | undefined): Date {
  const value = now ?? new Date();
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) throw new TypeError("now must be a valid Date");
  return value;
}

function isBlank(input: string | Uint8Array | undefined): boolean {
  if (input === undefined) return true;
  return typeof input === "string" ? input.trim() === "" : input.byteLength === 0;
}

export interface ImportPemInput {
  /** PEM (one certificate or a bundle), DER bytes, or base64 DER text. */
  certificatePem: string | Uint8Array;
  /**
   * PKCS#8, PKCS#1 or encrypted PKCS#8 PEM (or DER). When blank, a key block inside
   * certificatePem is used: some tools write certificate and key into one .pem file.
   */
  privateKeyPem?: string | Uint8Array;
  passphrase?: string;
  now?: Date;
}

/**
 * Certificate + private key as separate uploads. Never throws for bad input: every refusal comes
 * back as `{ ok: false, code, message }` with a message to show as is.
 */
export function importPemCertificate(input: ImportPemInput): CertificateImportResult {
  const now = validNow(input.now);
  try {
    const certificates = readCertificates(input.certificatePem);
    let keyInput = input.privateKeyPem;
    if (isBlank(keyInput)) {
      const combined = asText(input.certificatePem);
      const hasKeyBlock = combined !== undefined && parsePemBlocks(combined).some((block) => block.label.endsWith("PRIVATE KEY"));
      if (!hasKeyBlock)
        throw new CertificateError("bad_key", "Provide the private key that belongs to this certificate (.key or .pem).");
      keyInput = combined;
    }
    const key = readPrivateKey(keyInput!, input.passphrase || undefined);
    return choosePair(certificates, [key], now);
  } catch (error) {
    if (isCertificateError(error)) return failure(error);
    throw error;
  }
}

export interface ImportPfxInput {
  pfx: Uint8Array;
  password: string;
  now?: Date;
}

/**
 * A .pfx/.p12 file, from OpenSSL 3 (AES-256, PBKDF2, SHA-256 MAC), older OpenSSL and Windows
 * (3DES/RC2, SHA-1 MAC) or Java. With several certificates inside, the one whose public key
 * matches the private key is the certificate; the others are returned as the chain.
 */
export function importPfx(input: ImportPfxInput): CertificateImportResult {
  const now = validNow(input.now);
  try {
    if (!(input.pfx instanceof Uint8Array) || input.pfx.byteLength === 0)
      throw new CertificateError("bad_pfx", "No file was provided. Upload the .pfx or .p12 file.");
    if (input.pfx.byteLength > MAX_INPUT_BYTES)
      throw new CertificateError("bad_pfx", "This file is too large to be a certificate's PFX file.");
    const contents = readPfx(asBuffer(input.pfx), typeof input.password === "string" ? input.password : "");
    if (contents.certificates.length === 0) throw new CertificateError("no_certificate_in_pfx");
    if (contents.privateKeys.length === 0) throw new CertificateError("no_key_in_pfx");
    return choosePair(contents.certificates.map(parseCertificateDer), contents.privateKeys, now);
  } catch (error) {
    if (isCertificateError(error)) return failure(error);
    throw error;
  }
}
