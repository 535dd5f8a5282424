import "server-only";
import { createPublicKey, type KeyObject, type X509Certificate } from "node:crypto";

export type KeyAlgorithm = "RSA" | "RSA-PSS" | "EC" | "Ed25519" | "Ed448" | "DSA" | "unknown";

export function keyAlgorithmOf(key: KeyObject): KeyAlgorithm {
  switch (key.asymmetricKeyType) {
    case "rsa":
      return "RSA";
    case "rsa-pss":
      return "RSA-PSS";
    case "ec":
      return "EC";
    case "ed25519":
      return "Ed25519";
    case "ed448":
      return "Ed448";
    case "dsa":
      return "DSA";
    default:
      return "unknown";
  }
}

const CURVE_BITS: Record<string, number> = { prime256v1: 256, secp256k1: 256, secp384r1: 384, secp521r1: 521 };

/** Modulus length for RSA/DSA; the curve's size for the common EC curves. */
export function keySizeOf(key: KeyObject): number | undefined {
  const details = key.asymmetricKeyDetails;
  if (details?.modulusLength) return details.modulusLength;
  if (details?.namedCurve) return CURVE_BITS[details.namedCurve];
  return undefined;
}

/** SubjectPublicKeyInfo DER of a public key, or of the public half of a private key. */
export function spkiDer(key: KeyObject): Buffer {
  const publicKey = key.type === "private" ? createPublicKey(key) : key;
  return publicKey.export({ type: "spki", format: "der" });
}

/**
 * A key belongs to a certificate when its public half is the certificate's public key. Comparing
 * the SubjectPublicKeyInfo encodings covers every key type at once (and a key of another type
 * simply never matches).
 */
export function keyBelongsToCertificate(certificate: X509Certificate, privateKey: KeyObject): boolean {
  return spkiDer(certificate.publicKey).equals(spkiDer(privateKey));
}
