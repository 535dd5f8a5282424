import "server-only";
import { createPrivateKey, type KeyObject } from "node:crypto";
import { children, isUniversal, readSingle, Tag, type Asn1Node } from "@/lib/certs/der";
import { CertificateError } from "@/lib/certs/errors";
import { asBuffer, asText, decodeBase64Text, inputSize, MAX_INPUT_BYTES, parsePemBlocks } from "@/lib/certs/pem";

function badKey(message?: string, cause?: unknown): CertificateError {
  return new CertificateError("bad_key", message, { cause });
}

function explainNonKeyPem(labels: string[]): string | undefined {
  if (labels.some((label) => label.includes("CERTIFICATE REQUEST")))
    return "This is a certificate signing request (CSR), not a private key. Provide the private key file.";
  if (labels.some((label) => label.includes("CERTIFICATE")))
    return "This is a certificate, not a private key. Provide the private key that belongs to it.";
  if (labels.includes("PUBLIC KEY") || labels.includes("RSA PUBLIC KEY"))
    return "This is a public key. Provide the private key instead.";
  return undefined;
}

function decrypt(create: () => KeyObject, encrypted: boolean): KeyObject {
  try {
    return create();
  } catch (error) {
    // With a passphrase in play, node:crypto reports a wrong one as a bad decrypt or as an
    // unparseable key (when the padding happened to check out): either way the passphrase is wrong.
    if (encrypted)
      throw new CertificateError(
        "wrong_password",
        "The passphrase is not correct for this private key. Check it (it is case-sensitive) and try again.",
        { cause: error },
      );
    throw badKey(undefined, error);
  }
}

function readDerKey(der: Buffer, passphrase: string | undefined): KeyObject {
  let fields: Asn1Node[];
  try {
    fields = children(readSingle(der));
  } catch (error) {
    throw badKey(undefined, error);
  }
  // EncryptedPrivateKeyInfo is SEQUENCE { AlgorithmIdentifier, OCTET STRING }; the plain forms
  // (PKCS#8, PKCS#1, SEC1) all start with a version INTEGER.
  if (isUniversal(fields[0], Tag.sequence) && isUniversal(fields[1], Tag.octetString)) {
    if (!passphrase) throw new CertificateError("passphrase_required");
    return decrypt(() => createPrivateKey({ key: der, format: "der", type: "pkcs8", passphrase }), true);
  }
  const type = isUniversal(fields[1], Tag.sequence) ? "pkcs8" : fields.length >= 9 ? "pkcs1" : "sec1";
  return decrypt(() => createPrivateKey({ key: der, format: "der", type }), false);
}

/**
 * A private key from PEM (PKCS#8, PKCS#1, SEC1, encrypted PKCS#8, legacy OpenSSL-encrypted PKCS#1)
 * or DER. In a PEM file holding several blocks (key plus certificate), the first key block is used.
 */
export function readPrivateKey(input: string | Uint8Array, passphrase?: string): KeyObject {
  if (typeof input !== "string" && !(input instanceof Uint8Array)) throw badKey();
  if (inputSize(input) > MAX_INPUT_BYTES)
    throw badKey("This file is too large to be a private key. Upload the key file alone (.key or .pem).");
  const text = asText(input);
  // asText gives undefined only for binary (so non-string) input
  if (text === undefined) return readDerKey(asBuffer(input as Uint8Array), passphrase);
  if (text.trim() === "") throw badKey("No private key was provided. Upload or paste the private key (.key or .pem).");
  if (!text.includes("-----BEGIN")) {
    const der = decodeBase64Text(text);
    if (!der) throw badKey();
    return readDerKey(der, passphrase);
  }
  const blocks = parsePemBlocks(text);
  const block = blocks.find((candidate) => candidate.label.endsWith("PRIVATE KEY"));
  if (!block) throw badKey(explainNonKeyPem(blocks.map((candidate) => candidate.label)));
  if (block.label === "OPENSSH PRIVATE KEY")
    throw badKey(
      "This is an OpenSSH key. Convert a copy to PEM first (ssh-keygen -p -m PKCS8 -f <copy of the key file>) and upload that.",
    );
  const encrypted = block.label === "ENCRYPTED PRIVATE KEY" || /ENCRYPTED/i.test(block.headers["Proc-Type"] ?? "");
  if (encrypted && !passphrase) throw new CertificateError("passphrase_required");
  return decrypt(() => createPrivateKey({ key: block.text, format: "pem", ...(encrypted ? { passphrase } : {}) }), encrypted);
}
