import crypto from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseSecretKey } from "@/lib/crypto/secret-key";
import {
  decryptSecret,
  decryptWithKeys,
  encryptSecret,
  encryptWithKey,
  fingerprintSecret,
  SecretDecryptError,
} from "@/lib/crypto/secrets";

describe("secret encryption at rest", () => {
  it("round-trips with a versioned, key-named format and a random IV", () => {
    const a = encryptSecret("p@ss wörd", "profile:1:password");
    const b = encryptSecret("p@ss wörd", "profile:1:password");
    expect(a).toMatch(/^v1:[0-9a-f]{8}:[A-Za-z0-9_-]+$/);
    expect(a).not.toEqual(b);
    expect(a).not.toContain("p@ss");
    expect(decryptSecret(a, "profile:1:password")).toBe("p@ss wörd");
  });

  it("refuses a tampered ciphertext", () => {
    const ciphertext = encryptSecret("secret", "ctx");
    const raw = Buffer.from(ciphertext.split(":")[2]!, "base64url");
    raw[raw.length - 1] = raw[raw.length - 1]! ^ 1;
    const tampered = `${ciphertext.split(":").slice(0, 2).join(":")}:${raw.toString("base64url")}`;
    expect(() => decryptSecret(tampered, "ctx")).toThrow(SecretDecryptError);
  });

  it("refuses a ciphertext moved to another profile or field", () => {
    const ciphertext = encryptSecret("secret", "profile:1:password");
    expect(() => decryptSecret(ciphertext, "profile:2:password")).toThrow(/altered, or belongs to another record/);
  });

  it("names a missing key instead of failing obscurely", () => {
    const other = parseSecretKey(crypto.randomBytes(32).toString("hex"), "test");
    const ciphertext = encryptWithKey("secret", "ctx", other);
    expect(() => decryptSecret(ciphertext, "ctx")).toThrow(new RegExp(`key ${other.id}, which is not configured`));
    expect(decryptWithKeys(ciphertext, "ctx", new Map([[other.id, other]]))).toBe("secret");
  });

  it("rejects keys that are not 32 bytes", () => {
    expect(() => parseSecretKey("short", "MCF_SECRET_KEY")).toThrow(/32 random bytes/);
  });

  it("fingerprints are keyed, stable and do not contain the value", () => {
    expect(fingerprintSecret("abc")).toBe(fingerprintSecret("abc"));
    expect(fingerprintSecret("abc")).not.toBe(fingerprintSecret("abd"));
    const unkeyed = crypto.createHash("sha256").update("abc").digest("base64url").slice(0, 22);
    expect(fingerprintSecret("abc")).not.toContain(unkeyed);
  });
});
