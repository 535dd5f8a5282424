import crypto from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import {
  ENVELOPE_PARAMETERS,
  MAX_SALTS_PER_FILE,
  checkExportPassphrase,
  createEnvelopeOpener,
  deriveEnvelopeKey,
  openSecret,
  sealSecret,
  type EnvelopeKey,
  type EnvelopeOpener,
} from "@/lib/transfer/passphrase-envelope";

const PASSPHRASE = "correct horse battery staple";
const SECRET = "Zx8~Q-very-secret-value-1234567890";

function decode(envelope: string): Buffer {
  return Buffer.from(envelope.slice(3), "base64url");
}

function flipByte(envelope: string, index: number): string {
  const raw = decode(envelope);
  raw[index] = raw[index]! ^ 0x01;
  return `v1:${raw.toString("base64url")}`;
}

// scrypt at N=2^15 costs a noticeable fraction of a second: derive once, open with one opener.
let key: EnvelopeKey;
let opener: EnvelopeOpener;
beforeAll(async () => {
  key = await deriveEnvelopeKey(PASSPHRASE);
  opener = createEnvelopeOpener(PASSPHRASE);
});

describe("passphrase envelope", () => {
  it("round-trips a secret, with the documented v1 layout", async () => {
    const envelope = sealSecret(SECRET, key, "client_secret");
    expect(envelope).toMatch(/^v1:[A-Za-z0-9_-]+$/);
    expect(envelope).not.toContain(SECRET);
    const raw = decode(envelope);
    const { saltLength, ivLength, tagLength } = ENVELOPE_PARAMETERS;
    expect(raw.subarray(0, saltLength).equals(key.salt)).toBe(true);
    expect(raw.length).toBe(saltLength + ivLength + tagLength + Buffer.byteLength(SECRET));
    expect(await openSecret(envelope, PASSPHRASE, "client_secret")).toEqual({ ok: true, value: SECRET });
  });

  it("decrypts with an independent implementation of the stated parameters", async () => {
    const raw = decode(sealSecret(SECRET, key, "password"));
    const derived = crypto.scryptSync(PASSPHRASE, raw.subarray(0, 16), 32, { N: 32768, r: 8, p: 1, maxmem: 64 * 1024 * 1024 });
    const decipher = crypto.createDecipheriv("aes-256-gcm", derived, raw.subarray(16, 28));
    decipher.setAAD(Buffer.from("mcf-profile secret v1:password"));
    decipher.setAuthTag(raw.subarray(28, 44));
    expect(Buffer.concat([decipher.update(raw.subarray(44)), decipher.final()]).toString()).toBe(SECRET);
  });

  it("keeps Unicode and empty secrets intact", async () => {
    for (const value of ["", "pässwörd 🔑 \u00e9", "x".repeat(20_000)]) {
      expect(await opener.open(sealSecret(value, key, "password"), "password")).toEqual({ ok: true, value });
    }
  });

  it("refuses a wrong passphrase with a typed error, not an exception", async () => {
    const envelope = sealSecret(SECRET, key, "client_secret");
    const opened = await openSecret(envelope, "Correct horse battery staple", "client_secret");
    expect(opened).toEqual({
      ok: false,
      error: { code: "wrong_passphrase", message: expect.stringMatching(/Wrong passphrase/) },
    });
  });

  it("binds the secret to its field", async () => {
    const envelope = sealSecret(SECRET, key, "password");
    expect((await opener.open(envelope, "client_secret")).ok).toBe(false);
  });

  it("detects a flipped byte anywhere: salt, iv, tag or ciphertext", async () => {
    const envelope = sealSecret(SECRET, key, "client_secret");
    // index 0 changes the salt, which costs one more key derivation; the rest reuse the file's key
    for (const index of [0, 16, 28, 44, decode(envelope).length - 1]) {
      const opened = await opener.open(flipByte(envelope, index), "client_secret");
      expect(opened.ok, `byte ${index}`).toBe(false);
    }
  });

  it("calls truncated, foreign and garbled values malformed", async () => {
    const envelope = sealSecret(SECRET, key, "client_secret");
    const cases = [envelope.slice(0, 40), "v2:AAAA", "plain text", "v1:not base64!", "v1:"];
    for (const value of cases) {
      const opened = await opener.open(value, "client_secret");
      expect(opened.ok, value).toBe(false);
      if (!opened.ok) expect(opened.error.code, value).toBe("malformed");
    }
  });

  it("normalises the passphrase to NFC", async () => {
    const composed = "Passphrase-caf\u00e9";
    const decomposed = "Passphrase-cafe\u0301";
    const envelope = sealSecret(SECRET, await deriveEnvelopeKey(composed), "password");
    expect(await openSecret(envelope, decomposed, "password")).toEqual({ ok: true, value: SECRET });
  });

  it("shares one salt within an export but never an IV", async () => {
    const raws = Array.from({ length: 50 }, () => decode(sealSecret(SECRET, key, "client_secret")));
    expect(new Set(raws.map((r) => r.subarray(0, 16).toString("hex"))).size).toBe(1);
    expect(new Set(raws.map((r) => r.subarray(16, 28).toString("hex"))).size).toBe(50);
    const otherExport = await deriveEnvelopeKey(PASSPHRASE);
    expect(otherExport.salt.equals(key.salt)).toBe(false);
  });

  it("derives once per file: 1,000 secrets seal and open quickly", async () => {
    const started = performance.now();
    const exportKey = await deriveEnvelopeKey(PASSPHRASE);
    const envelopes = Array.from({ length: 1000 }, (_, i) => sealSecret(`secret-${i}`, exportKey, "client_secret"));
    const fileOpener = createEnvelopeOpener(PASSPHRASE);
    const opened = await Promise.all(envelopes.map((e) => fileOpener.open(e, "client_secret")));
    expect(opened.every((o, i) => o.ok && o.value === `secret-${i}`)).toBe(true);
    expect(fileOpener.saltCount).toBe(1);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("refuses a file with more distinct salts than a few exports would have", async () => {
    expect(MAX_SALTS_PER_FILE).toBeGreaterThan(1);
    const limited = createEnvelopeOpener(PASSPHRASE, { maxSalts: 1 });
    expect((await limited.open(sealSecret(SECRET, key, "password"), "password")).ok).toBe(true);
    const other = await deriveEnvelopeKey(PASSPHRASE);
    const refused = await limited.open(sealSecret(SECRET, other, "password"), "password");
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.error.code).toBe("too_many_salts");
  });

  it("states the passphrase rules", () => {
    expect(checkExportPassphrase("short")).toMatch(/at least 8/);
    expect(checkExportPassphrase("long enough")).toBeUndefined();
    expect(checkExportPassphrase("x".repeat(1025))).toMatch(/at most/);
  });
});
