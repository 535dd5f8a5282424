import "server-only";
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { dataDir, env } from "@/lib/env";
import { ownerOnly } from "@/scripts/owner-only-files.mjs";

export interface SecretKey {
  /** first 8 hex characters of SHA-256(key): names the key inside each ciphertext */
  id: string;
  key: Buffer;
}

export class SecretKeyError extends Error {}

export function parseSecretKey(text: string, origin: string): SecretKey {
  const trimmed = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed) ? Buffer.from(trimmed, "hex") : Buffer.from(trimmed, "base64");
  if (key.length !== 32) {
    throw new SecretKeyError(
      `${origin} must be 32 random bytes, as 64 hex characters or base64 (generate one with: openssl rand -base64 32)`,
    );
  }
  return { id: crypto.createHash("sha256").update(key).digest("hex").slice(0, 8), key };
}

export const generatedKeyFile = () => path.join(dataDir, "secret.key");

/**
 * The key that encrypts secrets at rest: MCF_SECRET_KEY when set; otherwise data/secret.key, created
 * with owner-only permissions on first start (the log says so, so the operator knows to back it up).
 */
function loadCurrentKey(): SecretKey {
  if (env.MCF_SECRET_KEY) return parseSecretKey(env.MCF_SECRET_KEY, "MCF_SECRET_KEY");
  const file = generatedKeyFile();
  if (fs.existsSync(file)) {
    // a key copied in from a backup may have come back readable for everyone
    ownerOnly(file);
    return parseSecretKey(fs.readFileSync(file, "utf8"), file);
  }
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  // mkdir leaves an existing folder as it is: one made by an earlier version may be 0755
  ownerOnly(path.dirname(file));
  const fresh = crypto.randomBytes(32).toString("base64");
  try {
    // "wx": never overwrite a key another process wrote a moment ago
    fs.writeFileSync(file, `${fresh}\n`, { mode: 0o600, flag: "wx" });
    process.stderr.write(
      `mcf: MCF_SECRET_KEY is not set; generated a new secret key in ${file} (owner-only). ` +
        `Back it up with the database: without it stored secrets cannot be decrypted.\n`,
    );
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  return parseSecretKey(fs.readFileSync(file, "utf8"), file);
}

let cached: { current: SecretKey; all: Map<string, SecretKey> } | undefined;

export function secretKeys() {
  if (!cached) {
    const current = loadCurrentKey();
    const all = new Map([[current.id, current]]);
    for (const [index, text] of (env.MCF_SECRET_KEY_PREVIOUS ?? "").split(",").filter(Boolean).entries()) {
      const previous = parseSecretKey(text, `MCF_SECRET_KEY_PREVIOUS[${index}]`);
      all.set(previous.id, previous);
    }
    cached = { current, all };
  }
  return cached;
}

/**
 * The key that signs session cookies: MCF_AUTH_SECRET, or one derived from the secret key so that a
 * fresh install needs no extra setting. Derived, not shared: the encryption key itself never signs.
 */
export function authSecret(): string {
  if (env.MCF_AUTH_SECRET) return env.MCF_AUTH_SECRET;
  return Buffer.from(crypto.hkdfSync("sha256", secretKeys().current.key, Buffer.alloc(0), "mcf-auth-cookie-v1", 32)).toString(
    "base64url",
  );
}
