import "server-only";
import crypto from "node:crypto";
import type { SecretField } from "@/lib/profiles/secret-fields";

/**
 * Secrets inside an exported mcf-profile file, encrypted with a passphrase the admin chooses
 * (docs/PROFILE-FORMAT.md#secrets: `{"encrypted": "v1:..."}`).
 *
 * Envelope v1, one string per secret:
 *
 *   "v1:" + base64url( salt[16] | iv[12] | tag[16] | ciphertext )
 *
 *   key        = scrypt(NFC(passphrase) as UTF-8, salt, N = 2^15, r = 8, p = 1, 32 bytes)
 *   ciphertext = AES-256-GCM(key, iv, UTF-8 secret), additional data "mcf-profile secret v1:<field>"
 *
 * The salt sits inside every envelope, so each secret is self-contained (documents can be cut out of
 * an array file and still decrypt), while one export uses ONE random salt for all its secrets: the
 * expensive scrypt runs once per file, not once per secret, and a fresh 96-bit IV per secret keeps
 * GCM safe under the shared key. The field name is bound as additional data, so an encrypted
 * password moved into client_secret fails to decrypt instead of silently becoming a client secret.
 * The parameters are fixed by the "v1" prefix; stronger ones would be "v2".
 */
export const ENVELOPE_VERSION = "v1";
export const ENVELOPE_PARAMETERS = {
  kdf: "scrypt",
  N: 2 ** 15,
  r: 8,
  p: 1,
  keyLength: 32,
  saltLength: 16,
  cipher: "aes-256-gcm",
  ivLength: 12,
  tagLength: 16,
} as const;

/** Same minimum as the certificate store's key export, so both passphrase prompts behave alike. */
export const MIN_EXPORT_PASSPHRASE_LENGTH = 8;
export const MAX_EXPORT_PASSPHRASE_LENGTH = 1024;

/**
 * A file that claims many different salts would make the importer run scrypt (32 MiB, ~0.1 s) for
 * each one. A real file comes from one export, or a few exports pasted together.
 */
export const MAX_SALTS_PER_FILE = 8;

const { N, r, p, keyLength, saltLength, ivLength, tagLength } = ENVELOPE_PARAMETERS;
const HEADER = saltLength + ivLength + tagLength;
// scrypt needs 128 * N * r bytes (32 MiB here); Node's default ceiling is exactly 32 MiB.
const MAX_MEMORY = 256 * N * r;

/** A derived key with its salt. Opaque to callers: it never leaves the server. */
export interface EnvelopeKey {
  readonly salt: Buffer;
  readonly key: Buffer;
}

export type EnvelopeErrorCode = "malformed" | "wrong_passphrase" | "too_many_salts";

export interface EnvelopeError {
  code: EnvelopeErrorCode;
  message: string;
}

export type OpenedSecret = { ok: true; value: string } | { ok: false; error: EnvelopeError };

const aad = (field: SecretField) => Buffer.from(`mcf-profile secret ${ENVELOPE_VERSION}:${field}`, "utf8");

// The same passphrase typed on macOS (NFD input methods) and Windows (NFC) must give the same key.
const passphraseBytes = (passphrase: string) => Buffer.from(passphrase.normalize("NFC"), "utf8");

function scrypt(passphrase: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    // async: runs on the libuv pool, so an export or import does not block other requests
    crypto.scrypt(passphraseBytes(passphrase), salt, keyLength, { N, r, p, maxmem: MAX_MEMORY }, (error, key) =>
      error ? reject(error) : resolve(key),
    );
  });
}

/** Derives the key for one export with a fresh random salt (or the given one, for tests and import). */
export async function deriveEnvelopeKey(passphrase: string, salt: Buffer = crypto.randomBytes(saltLength)): Promise<EnvelopeKey> {
  if (salt.length !== saltLength) throw new RangeError(`salt must be ${saltLength} bytes`);
  return { salt: Buffer.from(salt), key: await scrypt(passphrase, salt) };
}

/** Encrypts one secret under an export's key: `v1:<base64url(salt|iv|tag|ciphertext)>`. */
export function sealSecret(plaintext: string, key: EnvelopeKey, field: SecretField): string {
  const iv = crypto.randomBytes(ivLength);
  const cipher = crypto.createCipheriv("aes-256-gcm", key.key, iv);
  cipher.setAAD(aad(field));
  const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
  return `${ENVELOPE_VERSION}:${Buffer.concat([key.salt, iv, cipher.getAuthTag(), body]).toString("base64url")}`;
}

interface SplitEnvelope {
  salt: Buffer;
  iv: Buffer;
  tag: Buffer;
  body: Buffer;
}

function splitEnvelope(envelope: string): SplitEnvelope | EnvelopeError {
  const prefix = `${ENVELOPE_VERSION}:`;
  if (typeof envelope !== "string" || !envelope.startsWith(prefix)) {
    return { code: "malformed", message: `Not an encrypted secret of this console: it must start with "${prefix}"` };
  }
  const payload = envelope.slice(prefix.length);
  // Buffer.from(…, "base64url") skips characters it does not know; check first so a damaged value
  // is reported as damaged rather than decrypted from whatever bytes survived.
  if (!/^[A-Za-z0-9_-]*$/.test(payload))
    return { code: "malformed", message: "The encrypted value is damaged: it contains characters base64url does not use" };
  const raw = Buffer.from(payload, "base64url");
  if (raw.length < HEADER) return { code: "malformed", message: "The encrypted value is damaged: it is too short (truncated?)" };
  return {
    salt: raw.subarray(0, saltLength),
    iv: raw.subarray(saltLength, saltLength + ivLength),
    tag: raw.subarray(saltLength + ivLength, HEADER),
    body: raw.subarray(HEADER),
  };
}

function decryptWith(key: Buffer, parts: SplitEnvelope, field: SecretField): OpenedSecret {
  const decipher = crypto.createDecipheriv("aes-256-gcm", key, parts.iv);
  decipher.setAAD(aad(field));
  decipher.setAuthTag(parts.tag);
  try {
    const value = Buffer.concat([decipher.update(parts.body), decipher.final()]).toString("utf8");
    return { ok: true, value };
  } catch {
    // GCM cannot tell a wrong key from altered bytes; the importer compares with the file's other
    // secrets to say which it probably was.
    return { ok: false, error: { code: "wrong_passphrase", message: "Wrong passphrase, or the encrypted value was altered" } };
  }
}

export interface EnvelopeOpener {
  open(envelope: string, field: SecretField): Promise<OpenedSecret>;
  /** how many distinct salts (scrypt runs) this opener has seen */
  readonly saltCount: number;
}

/**
 * Opens the envelopes of one file with one passphrase, running scrypt once per distinct salt
 * (normally once per file) and refusing files that use more than MAX_SALTS_PER_FILE salts.
 */
export function createEnvelopeOpener(passphrase: string, options: { maxSalts?: number } = {}): EnvelopeOpener {
  const maxSalts = options.maxSalts ?? MAX_SALTS_PER_FILE;
  const keys = new Map<string, Promise<Buffer>>();
  return {
    get saltCount() {
      return keys.size;
    },
    async open(envelope, field) {
      const parts = splitEnvelope(envelope);
      if ("code" in parts) return { ok: false, error: parts };
      const saltId = parts.salt.toString("hex");
      let key = keys.get(saltId);
      if (!key) {
        if (keys.size >= maxSalts) {
          return {
            ok: false,
            error: {
              code: "too_many_salts",
              message: `The file's secrets were encrypted by more than ${maxSalts} different exports: import them in smaller files`,
            },
          };
        }
        key = scrypt(passphrase, parts.salt);
        keys.set(saltId, key);
      }
      return decryptWith(await key, parts, field);
    },
  };
}

/** One-off decryption (derives the key every call: use createEnvelopeOpener for a whole file). */
export async function openSecret(envelope: string, passphrase: string, field: SecretField): Promise<OpenedSecret> {
  return createEnvelopeOpener(passphrase).open(envelope, field);
}

/** The passphrase rules of an encrypted export, as a message to show, or undefined when acceptable. */
export function checkExportPassphrase(passphrase: string): string | undefined {
  if (typeof passphrase !== "string" || [...passphrase].length < MIN_EXPORT_PASSPHRASE_LENGTH) {
    return `Choose a passphrase of at least ${MIN_EXPORT_PASSPHRASE_LENGTH} characters`;
  }
  if (passphrase.length > MAX_EXPORT_PASSPHRASE_LENGTH)
    return `The passphrase can be at most ${MAX_EXPORT_PASSPHRASE_LENGTH} characters`;
  return undefined;
}
