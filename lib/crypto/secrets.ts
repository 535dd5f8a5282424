import "server-only";
import crypto from "node:crypto";
import { secretKeys, type SecretKey } from "@/lib/crypto/secret-key";

/**
 * Secret encryption at rest: AES-256-GCM with a random 96-bit IV.
 * Format: `v1:<key id>:<base64url(iv | tag | ciphertext)>`. The version prefix lets the format
 * change later; the key id picks the right key after a rotation (MCF_SECRET_KEY_PREVIOUS).
 * `context` is bound as additional authenticated data, so a ciphertext copied to another profile
 * or field fails to decrypt instead of silently becoming that field's secret.
 */
const VERSION = "v1";

export class SecretDecryptError extends Error {
  constructor(reason: string) {
    super(`Stored secret cannot be decrypted: ${reason}`);
  }
}

export function encryptWithKey(plaintext: string, context: string, key: SecretKey): string {
  const iv = crypto.randomBytes(12);
  const cipher = crypto.createCipheriv("aes-256-gcm", key.key, iv);
  cipher.setAAD(Buffer.from(context, "utf8"));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return `${VERSION}:${key.id}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url")}`;
}

export function decryptWithKeys(ciphertext: string, context: string, keys: Map<string, SecretKey>): string {
  const [version, keyId, payload] = ciphertext.split(":");
  if (version !== VERSION || !keyId || !payload) throw new SecretDecryptError("unknown format");
  const key = keys.get(keyId);
  if (!key) throw new SecretDecryptError(`it was encrypted with key ${keyId}, which is not configured`);
  const raw = Buffer.from(payload, "base64url");
  if (raw.length < 28) throw new SecretDecryptError("truncated");
  const decipher = crypto.createDecipheriv("aes-256-gcm", key.key, raw.subarray(0, 12));
  decipher.setAAD(Buffer.from(context, "utf8"));
  decipher.setAuthTag(raw.subarray(12, 28));
  try {
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
  } catch {
    throw new SecretDecryptError("it was altered, or belongs to another record");
  }
}

export function encryptSecret(plaintext: string, context: string): string {
  return encryptWithKey(plaintext, context, secretKeys().current);
}

export function decryptSecret(ciphertext: string, context: string): string {
  return decryptWithKeys(ciphertext, context, secretKeys().all);
}

/**
 * A keyed fingerprint: equal secrets give equal fingerprints, so history can say "secret changed"
 * or "unchanged", while without the key nobody can test guesses against it.
 */
export function fingerprintSecret(plaintext: string): string {
  const subkey = crypto.hkdfSync("sha256", secretKeys().current.key, Buffer.alloc(0), "mcf secret fingerprint", 32);
  return `hmac:${crypto.createHmac("sha256", Buffer.from(subkey)).update(plaintext, "utf8").digest("base64url").slice(0, 22)}`;
}
