import "server-only";
import "reflect-metadata";
import { KeyObject, randomBytes, webcrypto } from "node:crypto";
import * as x509 from "@peculiar/x509";
import { CertificateError } from "@/lib/certs/errors";
import { encodePem } from "@/lib/certs/pem";

export type GeneratedKeySize = 2048 | 3072 | 4096;

export interface GenerateSelfSignedOptions {
  /** 1–64 characters (the X.520 upper bound for a common name), no control characters. */
  commonName: string;
  keySize: GeneratedKeySize;
  /** 1–3650; default 365, as in Microsoft's self-signed certificate guide. */
  validityDays?: number;
  now?: Date;
}

export interface GeneratedCertificate {
  certificatePem: string;
  /** Unencrypted PKCS#8 ("BEGIN PRIVATE KEY"): encrypt it before storing. */
  privateKeyPem: string;
}

export const KEY_SIZES: readonly GeneratedKeySize[] = [2048, 3072, 4096];
export const DEFAULT_VALIDITY_DAYS = 365;
export const MAX_VALIDITY_DAYS = 3650;
const MAX_COMMON_NAME = 64;
// Tolerate clocks that run a little behind ours (the token endpoint's, a colleague's laptop).
const BACKDATE_MS = 5 * 60_000;
const DAY_MS = 86_400_000;
const CONTROL_CHARS = /[\u0000-\u001F\u007F-\u009F\u2028\u2029]/;

// Passed explicitly instead of through x509.cryptoProvider.set(): no process-wide state to race
// with other modules that use @peculiar/x509.
const crypto = webcrypto as unknown as Crypto;
const algorithm = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", publicExponent: new Uint8Array([1, 0, 1]) } as const;

function invalid(message: string): CertificateError {
  return new CertificateError("invalid_input", message);
}

function validate(options: GenerateSelfSignedOptions): {
  commonName: string;
  keySize: GeneratedKeySize;
  validityDays: number;
  now: Date;
} {
  const commonName = typeof options.commonName === "string" ? options.commonName.trim() : "";
  if (commonName.length === 0) throw invalid("Enter a name for the certificate (for example mail-connector).");
  if ([...commonName].length > MAX_COMMON_NAME)
    throw invalid(`The certificate name can be at most ${MAX_COMMON_NAME} characters.`);
  if (CONTROL_CHARS.test(commonName))
    throw invalid("The certificate name cannot contain line breaks, tabs or other control characters.");
  if (!KEY_SIZES.includes(options.keySize)) throw invalid("Choose a key size of 2048, 3072 or 4096 bits.");
  const validityDays = options.validityDays ?? DEFAULT_VALIDITY_DAYS;
  if (!Number.isInteger(validityDays) || validityDays < 1 || validityDays > MAX_VALIDITY_DAYS)
    throw invalid(`Choose a validity between 1 and ${MAX_VALIDITY_DAYS} days.`);
  const now = options.now ?? new Date();
  if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw invalid("The start time is not a valid date.");
  return { commonName, keySize: options.keySize, validityDays, now };
}

/** 128 random bits, made positive and without a leading zero octet (RFC 5280 §4.1.2.2: ≤ 20 octets). */
function randomSerialHex(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x40;
  return bytes.toString("hex");
}

/**
 * A self-signed certificate for Entra "certificate credentials", following Microsoft's guide: RSA,
 * SHA-256 (sha256WithRSAEncryption), subject = issuer = CN=<commonName>.
 *
 * Throws CertificateError("invalid_input") with a message for the form when an option is out of range.
 */
export async function generateSelfSignedCertificate(options: GenerateSelfSignedOptions): Promise<GeneratedCertificate> {
  const { commonName, keySize, validityDays, now } = validate(options);
  // WebCrypto generates and signs natively, off the event loop: a 4096-bit key takes seconds.
  const keys = await crypto.subtle.generateKey({ ...algorithm, modulusLength: keySize }, true, ["sign", "verify"]);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned(
    {
      serialNumber: randomSerialHex(),
      // The JSON form keeps the name a single CN value even when it contains "," "+" or "=";
      // a string would be parsed as a DN and could smuggle in extra attributes.
      name: [{ CN: [commonName] }],
      notBefore: new Date(now.getTime() - BACKDATE_MS),
      notAfter: new Date(now.getTime() + validityDays * DAY_MS),
      keys,
      signingAlgorithm: algorithm,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey, false, crypto),
      ],
    },
    crypto,
  );
  const privateKey = KeyObject.from(keys.privateKey as unknown as webcrypto.CryptoKey);
  return {
    certificatePem: encodePem("CERTIFICATE", Buffer.from(certificate.rawData)),
    privateKeyPem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(),
  };
}
