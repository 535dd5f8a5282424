import { createPrivateKey, createPublicKey } from "node:crypto";
import forge from "node-forge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CertificateError } from "@/lib/certs/errors";
import {
  certificateToDer,
  certificateToPem,
  exportEncryptedPkcs8,
  exportPfx,
  keyMatchesCertificate,
  MIN_PASSPHRASE_LENGTH,
  publicKeyPem,
} from "@/lib/certs/export";
import { generateSelfSignedCertificate } from "@/lib/certs/generate";
import { importPemCertificate, importPfx } from "@/lib/certs/import";
import {
  hasOpenssl,
  makeCertificate,
  openssl,
  opensslOutput,
  pemBody,
  tempDir,
  type TempDir,
  type TestCertificate,
} from "@/lib/certs/test-fixtures";

const PASSWORD = "export-Password-1";

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return error instanceof CertificateError ? error.code : `not a CertificateError: ${String(error)}`;
  }
  return undefined;
}

let generated: { certificatePem: string; privateKeyPem: string };
let other: TestCertificate;
let ca: TestCertificate;
let issued: TestCertificate;
let tmp: TempDir;

beforeAll(async () => {
  tmp = tempDir();
  [generated, other, ca] = await Promise.all([
    generateSelfSignedCertificate({ commonName: "export-test", keySize: 2048 }),
    makeCertificate({ commonName: "other" }),
    makeCertificate({ commonName: "Export CA", ca: true }),
  ]);
  issued = await makeCertificate({ commonName: "issued", issuer: ca });
});
afterAll(() => tmp.remove());

describe("certificateToDer / certificateToPem / publicKeyPem", () => {
  it("gives the DER bytes of the PEM body (the .cer download)", () => {
    const derBytes = certificateToDer(generated.certificatePem);
    expect(derBytes).toEqual(pemBody(generated.certificatePem));
    expect(certificateToDer(derBytes)).toEqual(derBytes);
  });

  it.skipIf(!hasOpenssl)("matches openssl x509 -outform DER", () => {
    expect(certificateToDer(generated.certificatePem)).toEqual(openssl(["x509", "-outform", "DER"], generated.certificatePem));
  });

  it("normalises PEM: CRLF, unwrapped base64, surrounding text, DER input", () => {
    const derBytes = pemBody(generated.certificatePem);
    const messy = `Bag Attributes\r\n    friendlyName: x\r\nsubject=CN=export-test\r\n-----BEGIN CERTIFICATE-----\r\n${derBytes.toString("base64")}\r\n-----END CERTIFICATE-----\r\n`;
    expect(certificateToPem(messy)).toBe(generated.certificatePem);
    expect(certificateToPem(derBytes)).toBe(generated.certificatePem);
    expect(certificateToPem(generated.certificatePem)).toMatch(
      /^-----BEGIN CERTIFICATE-----\n(.{64}\n)+.{1,64}\n-----END CERTIFICATE-----\n$/,
    );
  });

  it("gives the public key as SPKI PEM", () => {
    const pem = publicKeyPem(generated.certificatePem);
    expect(pem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
    expect(pem).toBe(createPublicKey(createPrivateKey(generated.privateKeyPem)).export({ type: "spki", format: "pem" }));
  });

  it("refuses unreadable certificates", () => {
    expect(codeOf(() => certificateToDer("nope"))).toBe("bad_certificate");
    expect(codeOf(() => publicKeyPem(Buffer.from([0x30, 0x00])))).toBe("bad_certificate");
  });
});

describe("exportEncryptedPkcs8", () => {
  const passphrase = "a long passphrase";

  it("writes an encrypted PKCS#8 PEM that node:crypto decrypts back to the same key", () => {
    const pem = exportEncryptedPkcs8(generated.privateKeyPem, passphrase);
    expect(pem).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----\n/);
    const key = createPrivateKey({ key: pem, format: "pem", passphrase });
    expect(key.export({ type: "pkcs8", format: "der" })).toEqual(
      createPrivateKey(generated.privateKeyPem).export({ type: "pkcs8", format: "der" }),
    );
    expect(() => createPrivateKey({ key: pem, format: "pem", passphrase: "another passphrase" })).toThrow();
  });

  it("round-trips through importPemCertificate", () => {
    const pem = exportEncryptedPkcs8(generated.privateKeyPem, passphrase);
    const result = importPemCertificate({ certificatePem: generated.certificatePem, privateKeyPem: pem, passphrase });
    expect(result.ok).toBe(true);
  });

  it("accepts a PKCS#1 key and non-ASCII passphrases", () => {
    const pkcs1 = createPrivateKey(generated.privateKeyPem).export({ type: "pkcs1", format: "pem" }).toString();
    const pem = exportEncryptedPkcs8(pkcs1, "pässwört-€-ñ");
    expect(createPrivateKey({ key: pem, format: "pem", passphrase: "pässwört-€-ñ" }).asymmetricKeyType).toBe("rsa");
  });

  it.skipIf(!hasOpenssl)("uses PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC, readable by OpenSSL", () => {
    const pem = exportEncryptedPkcs8(generated.privateKeyPem, passphrase);
    const structure = openssl(["asn1parse"], pem).toString();
    expect(structure).toMatch(/:PBES2/);
    expect(structure).toMatch(/:PBKDF2/);
    expect(structure).toMatch(/:hmacWithSHA256/);
    expect(structure).toMatch(/:aes-256-cbc/);
    const decrypted = openssl(["pkey", "-passin", `pass:${passphrase}`], pem).toString();
    expect(createPrivateKey(decrypted).export({ type: "pkcs8", format: "der" })).toEqual(
      createPrivateKey(generated.privateKeyPem).export({ type: "pkcs8", format: "der" }),
    );
  });

  it(`requires at least ${MIN_PASSPHRASE_LENGTH} characters`, () => {
    expect(codeOf(() => exportEncryptedPkcs8(generated.privateKeyPem, "short"))).toBe("weak_passphrase");
    expect(codeOf(() => exportEncryptedPkcs8(generated.privateKeyPem, ""))).toBe("weak_passphrase");
    expect(codeOf(() => exportEncryptedPkcs8(generated.privateKeyPem, "12345678"))).toBeUndefined();
  });

  it("refuses something that is not a key", () => {
    expect(codeOf(() => exportEncryptedPkcs8(generated.certificatePem, passphrase))).toBe("bad_key");
  });
});

describe("exportPfx", () => {
  let pfx: Buffer;

  beforeAll(() => {
    pfx = exportPfx({
      certificatePem: generated.certificatePem,
      privateKeyPem: generated.privateKeyPem,
      password: PASSWORD,
      friendlyName: "MCF export-test",
    });
  });

  it("re-imports with importPfx", () => {
    const result = importPfx({ pfx, password: PASSWORD });
    if (!result.ok) throw new Error(result.message);
    expect(result.certificatePem).toBe(generated.certificatePem);
    expect(createPrivateKey(result.privateKeyPem).export({ type: "pkcs8", format: "der" })).toEqual(
      createPrivateKey(generated.privateKeyPem).export({ type: "pkcs8", format: "der" }),
    );
    expect(result.chainPem).toBeUndefined();
  });

  it("refuses a wrong password on re-import", () => {
    const result = importPfx({ pfx, password: "export-password-1" });
    expect(result.ok ? "ok" : result.code).toBe("wrong_password");
  });

  it("is readable by forge too", () => {
    const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(pfx.toString("binary")), PASSWORD);
    const certBags = p12.getBags({ bagType: forge.pki.oids.certBag! })[forge.pki.oids.certBag!]!;
    expect(certBags).toHaveLength(1);
    expect(certBags[0]!.attributes.friendlyName).toEqual(["MCF export-test"]);
  });

  it.skipIf(!hasOpenssl)("is readable by openssl pkcs12 (AES-256, SHA-256 MAC) with the same certificate and key", () => {
    const file = tmp.write("export.pfx", pfx);
    const info = opensslOutput(["pkcs12", "-info", "-noout", "-in", file, "-passin", `pass:${PASSWORD}`]);
    expect(info.status).toBe(0);
    expect(info.output).toMatch(/MAC: sha256, Iteration 10000/);
    expect(info.output).toMatch(/PKCS7 Encrypted data: PBES2, PBKDF2, AES-256-CBC, Iteration 10000, PRF hmacWithSHA256/);
    expect(info.output).toMatch(/Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC, Iteration 10000, PRF hmacWithSHA256/);

    const certificate = openssl(["pkcs12", "-in", file, "-passin", `pass:${PASSWORD}`, "-nokeys", "-clcerts"]).toString();
    expect(certificate).toMatch(/friendlyName: MCF export-test/);
    expect(certificateToDer(certificate)).toEqual(pemBody(generated.certificatePem));
    const key = openssl(["pkcs12", "-in", file, "-passin", `pass:${PASSWORD}`, "-nocerts", "-nodes"]).toString();
    expect(keyMatchesCertificate(generated.certificatePem, key)).toBe(true);

    expect(opensslOutput(["pkcs12", "-info", "-noout", "-in", file, "-passin", "pass:wrong"]).status).not.toBe(0);
  });

  it.skipIf(!hasOpenssl)("handles non-ASCII passwords the way OpenSSL does", () => {
    const password = "Pässwört-ñ-€";
    const file = tmp.write(
      "unicode.pfx",
      exportPfx({ certificatePem: generated.certificatePem, privateKeyPem: generated.privateKeyPem, password }),
    );
    expect(opensslOutput(["pkcs12", "-info", "-noout", "-in", file, "-passin", `pass:${password}`]).status).toBe(0);
  });

  it("includes chain certificates after the leaf", () => {
    const withChain = exportPfx({
      certificatePem: issued.certificatePem,
      privateKeyPem: issued.privateKeyPem,
      password: PASSWORD,
      chainPem: [ca.certificatePem],
    });
    const result = importPfx({ pfx: withChain, password: PASSWORD });
    if (!result.ok) throw new Error(result.message);
    expect(result.certificate.subject).toBe("CN=issued");
    expect(result.chainPem?.map(pemBody)).toEqual([pemBody(ca.certificatePem)]);
  });

  it("refuses a key that does not belong to the certificate", () => {
    expect(
      codeOf(() =>
        exportPfx({ certificatePem: generated.certificatePem, privateKeyPem: other.privateKeyPem, password: PASSWORD }),
      ),
    ).toBe("key_mismatch");
  });

  it("requires a password of at least 8 characters and a sane friendly name", () => {
    const base = { certificatePem: generated.certificatePem, privateKeyPem: generated.privateKeyPem };
    expect(codeOf(() => exportPfx({ ...base, password: "short" }))).toBe("weak_passphrase");
    expect(codeOf(() => exportPfx({ ...base, password: PASSWORD, friendlyName: "bad\nname" }))).toBe("invalid_input");
  });
});

describe("keyMatchesCertificate", () => {
  it("is true for the certificate's own key in any encoding", () => {
    expect(keyMatchesCertificate(generated.certificatePem, generated.privateKeyPem)).toBe(true);
    const pkcs1 = createPrivateKey(generated.privateKeyPem).export({ type: "pkcs1", format: "pem" }).toString();
    expect(keyMatchesCertificate(pemBody(generated.certificatePem), pkcs1)).toBe(true);
    const encrypted = exportEncryptedPkcs8(generated.privateKeyPem, "passphrase!");
    expect(keyMatchesCertificate(generated.certificatePem, encrypted, "passphrase!")).toBe(true);
  });

  it("is false for another key", () => {
    expect(keyMatchesCertificate(generated.certificatePem, other.privateKeyPem)).toBe(false);
  });

  it("throws instead of answering false when it cannot read its input", () => {
    const encrypted = exportEncryptedPkcs8(generated.privateKeyPem, "passphrase!");
    expect(codeOf(() => keyMatchesCertificate(generated.certificatePem, encrypted))).toBe("passphrase_required");
    expect(codeOf(() => keyMatchesCertificate(generated.certificatePem, encrypted, "wrong passphrase"))).toBe("wrong_password");
    expect(codeOf(() => keyMatchesCertificate(generated.certificatePem, "garbage"))).toBe("bad_key");
    expect(codeOf(() => keyMatchesCertificate("garbage", generated.privateKeyPem))).toBe("bad_certificate");
  });
});
