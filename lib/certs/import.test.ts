import { createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";
import fs from "node:fs";
import forge from "node-forge";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { der, readSingle, sequence } from "@/lib/certs/der";
import { importPemCertificate, importPfx, type CertificateImportResult, type ImportedCertificate } from "@/lib/certs/import";
import {
  ecKey,
  hasOpenssl,
  hasOpensslLegacy,
  makeCertificate,
  openssl,
  opensslOutput,
  pemBody,
  rsaKey,
  tempDir,
  type TempDir,
  type TestCertificate,
} from "@/lib/certs/test-fixtures";
import { certificateThumbprints } from "@/lib/certs/thumbprints";

const PASSPHRASE = "correct horse battery";
const DAY = 86_400_000;

function expectOk(result: CertificateImportResult): ImportedCertificate {
  if (!result.ok) throw new Error(`expected success, got ${result.code}: ${result.message}`);
  return result;
}

function expectRefused(result: CertificateImportResult, code: string, message?: RegExp): void {
  expect(result.ok ? "ok" : result.code).toBe(code);
  if (!result.ok) {
    expect(result.message.length).toBeGreaterThan(20);
    if (message) expect(result.message).toMatch(message);
  }
}

function sameKey(privateKeyPem: string, expected: TestCertificate): boolean {
  const spki = (pem: string) => createPublicKey(createPrivateKey(pem)).export({ type: "spki", format: "der" });
  return spki(privateKeyPem).equals(spki(expected.privateKeyPem));
}

let leaf: TestCertificate;
let other: TestCertificate;
let ca: TestCertificate;
let issued: TestCertificate;
let ec: TestCertificate;
let weak: TestCertificate;
let expired: TestCertificate;
let future: TestCertificate;

beforeAll(async () => {
  [leaf, other, ca, ec, weak, expired, future] = await Promise.all([
    makeCertificate({ commonName: "leaf" }),
    makeCertificate({ commonName: "other" }),
    makeCertificate({ commonName: "Import Test CA", ca: true }),
    makeCertificate({ key: ecKey(), commonName: "ec" }),
    // node:crypto still generates 1024-bit RSA; Entra refuses it (AADSTS50032)
    makeCertificate({ key: rsaKey(1024), commonName: "weak" }),
    makeCertificate({ commonName: "expired", notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() - DAY) }),
    makeCertificate({
      commonName: "future",
      notBefore: new Date(Date.now() + 2 * DAY),
      notAfter: new Date(Date.now() + 400 * DAY),
    }),
  ]);
  issued = await makeCertificate({ commonName: "issued", issuer: ca });
});

describe("importPemCertificate", () => {
  it("accepts a PKCS#8 key and returns the certificate, PKCS#8 key and a description", () => {
    const result = expectOk(importPemCertificate({ certificatePem: leaf.certificatePem, privateKeyPem: leaf.privateKeyPem }));
    expect(pemBody(result.certificatePem)).toEqual(pemBody(leaf.certificatePem));
    expect(result.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(sameKey(result.privateKeyPem, leaf)).toBe(true);
    expect(result.chainPem).toBeUndefined();
    expect(result.certificate.subject).toBe("CN=leaf");
    expect(result.certificate.thumbprints).toEqual(certificateThumbprints(leaf.certificatePem));
    expect(result.certificate.expiryStatus).toBe("valid");
  });

  it("accepts a PKCS#1 key (BEGIN RSA PRIVATE KEY) and converts it to PKCS#8", () => {
    const pkcs1 = leaf.privateKey.export({ type: "pkcs1", format: "pem" }).toString();
    expect(pkcs1).toMatch(/BEGIN RSA PRIVATE KEY/);
    const result = expectOk(importPemCertificate({ certificatePem: leaf.certificatePem, privateKeyPem: pkcs1 }));
    expect(result.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(sameKey(result.privateKeyPem, leaf)).toBe(true);
  });

  describe("encrypted PKCS#8 (BEGIN ENCRYPTED PRIVATE KEY)", () => {
    let encrypted: string;
    beforeAll(() => {
      encrypted = leaf.privateKey
        .export({ type: "pkcs8", format: "pem", cipher: "aes-256-cbc", passphrase: PASSPHRASE })
        .toString();
    });

    it("decrypts with the right passphrase", () => {
      const result = expectOk(
        importPemCertificate({ certificatePem: leaf.certificatePem, privateKeyPem: encrypted, passphrase: PASSPHRASE }),
      );
      expect(result.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----/);
      expect(sameKey(result.privateKeyPem, leaf)).toBe(true);
    });

    it("refuses a wrong passphrase without repeating it", () => {
      const result = importPemCertificate({
        certificatePem: leaf.certificatePem,
        privateKeyPem: encrypted,
        passphrase: "not the passphrase",
      });
      expectRefused(result, "wrong_password", /passphrase/);
      expect(JSON.stringify(result)).not.toContain("not the passphrase");
    });

    it.each([undefined, ""])("asks for the passphrase when it is %j", (passphrase) => {
      expectRefused(
        importPemCertificate({ certificatePem: leaf.certificatePem, privateKeyPem: encrypted, passphrase }),
        "passphrase_required",
      );
    });
  });

  describe("legacy OpenSSL-encrypted PKCS#1 (Proc-Type: 4,ENCRYPTED)", () => {
    let encrypted: string;
    beforeAll(() => {
      encrypted = leaf.privateKey
        .export({ type: "pkcs1", format: "pem", cipher: "aes-256-cbc", passphrase: PASSPHRASE })
        .toString();
    });

    it("decrypts with the right passphrase", () => {
      expect(encrypted).toMatch(/Proc-Type: 4,ENCRYPTED/);
      expectOk(importPemCertificate({ certificatePem: leaf.certificatePem, privateKeyPem: encrypted, passphrase: PASSPHRASE }));
    });

    it("refuses a wrong or missing passphrase", () => {
      expectRefused(
        importPemCertificate({ certificatePem: leaf.certificatePem, privateKeyPem: encrypted, passphrase: "wrong one" }),
        "wrong_password",
      );
      expectRefused(
        importPemCertificate({ certificatePem: leaf.certificatePem, privateKeyPem: encrypted }),
        "passphrase_required",
      );
    });
  });

  it("accepts the certificate as DER bytes or base64 DER text, and the key as DER", () => {
    const derCertificate = pemBody(leaf.certificatePem);
    const keyDer = leaf.privateKey.export({ type: "pkcs8", format: "der" });
    for (const certificatePem of [derCertificate, derCertificate.toString("base64"), Buffer.from(leaf.certificatePem)]) {
      const result = expectOk(importPemCertificate({ certificatePem, privateKeyPem: keyDer }));
      expect(pemBody(result.certificatePem)).toEqual(derCertificate);
    }
    expectOk(
      importPemCertificate({
        certificatePem: leaf.certificatePem,
        privateKeyPem: leaf.privateKey.export({ type: "pkcs1", format: "der" }),
      }),
    );
  });

  it("accepts an encrypted DER key with its passphrase", () => {
    const encryptedDer = leaf.privateKey.export({ type: "pkcs8", format: "der", cipher: "aes-128-cbc", passphrase: PASSPHRASE });
    expectOk(importPemCertificate({ certificatePem: leaf.certificatePem, privateKeyPem: encryptedDer, passphrase: PASSPHRASE }));
    expectRefused(
      importPemCertificate({ certificatePem: leaf.certificatePem, privateKeyPem: encryptedDer }),
      "passphrase_required",
    );
    expectRefused(
      importPemCertificate({ certificatePem: leaf.certificatePem, privateKeyPem: encryptedDer, passphrase: "nope nope" }),
      "wrong_password",
    );
  });

  it("finds the key inside a combined certificate + key PEM when no key is given separately", () => {
    const combined = `${leaf.certificatePem}${leaf.privateKeyPem}`;
    const result = expectOk(importPemCertificate({ certificatePem: combined, privateKeyPem: "" }));
    expect(sameKey(result.privateKeyPem, leaf)).toBe(true);
    expectRefused(
      importPemCertificate({ certificatePem: leaf.certificatePem, privateKeyPem: "  " }),
      "bad_key",
      /Provide the private key/,
    );
  });

  it("returns the other certificates of a bundle as the chain, whatever their order", () => {
    const result = expectOk(
      importPemCertificate({
        certificatePem: `${ca.certificatePem}${issued.certificatePem}${ca.certificatePem}`,
        privateKeyPem: issued.privateKeyPem,
      }),
    );
    expect(result.certificate.subject).toBe("CN=issued");
    expect(result.certificate.selfSigned).toBe(false);
    expect(result.chainPem).toHaveLength(1);
    expect(pemBody(result.chainPem![0]!)).toEqual(pemBody(ca.certificatePem));
  });

  it("refuses a key that belongs to another certificate", () => {
    expectRefused(
      importPemCertificate({ certificatePem: leaf.certificatePem, privateKeyPem: other.privateKeyPem }),
      "key_mismatch",
      /does not belong/,
    );
  });

  it("refuses an EC certificate and key as not_rsa", () => {
    expectRefused(
      importPemCertificate({ certificatePem: ec.certificatePem, privateKeyPem: ec.privateKeyPem }),
      "not_rsa",
      /only RSA/,
    );
    expectRefused(
      importPemCertificate({
        certificatePem: ec.certificatePem,
        privateKeyPem: ec.privateKey.export({ type: "sec1", format: "pem" }).toString(),
      }),
      "not_rsa",
    );
  });

  it("refuses an EC key next to an RSA certificate as key_mismatch", () => {
    expectRefused(importPemCertificate({ certificatePem: leaf.certificatePem, privateKeyPem: ec.privateKeyPem }), "key_mismatch");
  });

  it("refuses a 1024-bit RSA key as weak_key", () => {
    expectRefused(
      importPemCertificate({ certificatePem: weak.certificatePem, privateKeyPem: weak.privateKeyPem }),
      "weak_key",
      /1024 bits.*AADSTS50032/,
    );
  });

  it("refuses an expired certificate and one that is not valid yet", () => {
    expectRefused(
      importPemCertificate({ certificatePem: expired.certificatePem, privateKeyPem: expired.privateKeyPem }),
      "expired",
      /expired on \d{4}-\d{2}-\d{2}/,
    );
    expectRefused(
      importPemCertificate({ certificatePem: future.certificatePem, privateKeyPem: future.privateKeyPem }),
      "not_yet_valid",
    );
  });

  it("judges validity at `now`, tolerating a few minutes of clock skew", () => {
    const notBefore = new X509Certificate(future.certificatePem).validFrom;
    const start = new Date(notBefore).getTime();
    expectOk(
      importPemCertificate({
        certificatePem: future.certificatePem,
        privateKeyPem: future.privateKeyPem,
        now: new Date(start + 1000),
      }),
    );
    expectOk(
      importPemCertificate({
        certificatePem: future.certificatePem,
        privateKeyPem: future.privateKeyPem,
        now: new Date(start - 2 * 60_000),
      }),
    );
    expectRefused(
      importPemCertificate({
        certificatePem: future.certificatePem,
        privateKeyPem: future.privateKeyPem,
        now: new Date(start - 10 * 60_000),
      }),
      "not_yet_valid",
    );
    const later = importPemCertificate({
      certificatePem: leaf.certificatePem,
      privateKeyPem: leaf.privateKeyPem,
      now: new Date(Date.now() + 80 * DAY),
    });
    expect(expectOk(later).certificate.expiryStatus).toBe("expiring_soon");
  });

  it.each([
    ["garbage certificate", "not a certificate", undefined, "bad_certificate"],
    ["empty certificate", "", undefined, "bad_certificate"],
    ["garbage key", undefined, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", "bad_key"],
    ["plain text key", undefined, "hunter2", "bad_key"],
    ["binary junk key", undefined, Buffer.from([0xde, 0xad, 0xbe, 0xef]), "bad_key"],
    ["certificate given as key", undefined, "CERT", "bad_key"],
    [
      "OpenSSH key",
      undefined,
      "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEA\n-----END OPENSSH PRIVATE KEY-----\n",
      "bad_key",
    ],
  ])("refuses a %s", (_name, certificate, key, code) => {
    const result = importPemCertificate({
      certificatePem: certificate ?? leaf.certificatePem,
      privateKeyPem: key === "CERT" ? leaf.certificatePem : (key ?? leaf.privateKeyPem),
    });
    expectRefused(result, code);
  });
});

describe("importPfx", () => {
  let tmp: TempDir;
  const PASSWORD = "pfx-Password-1";

  beforeAll(() => {
    tmp = tempDir();
  });
  afterAll(() => tmp.remove());

  function opensslPfx(name: string, certificate: TestCertificate, args: string[] = [], password = PASSWORD): Buffer {
    const certFile = tmp.write(`${name}.crt`, certificate.certificatePem);
    const keyFile = tmp.write(`${name}.key`, certificate.privateKeyPem);
    const out = tmp.file(`${name}.pfx`);
    openssl(["pkcs12", "-export", "-in", certFile, "-inkey", keyFile, "-passout", `pass:${password}`, "-out", out, ...args]);
    return fs.readFileSync(out);
  }

  // forge writes PBES2 (aes*) or PKCS#12-PBE (3des) shrouded keys, unencrypted certificate safes and a SHA-1 MAC
  function forgePfx(
    key: TestCertificate,
    certificates: TestCertificate[] | null,
    options: { algorithm?: "3des" | "aes128" | "aes256"; useMac?: boolean } = {},
  ): Buffer {
    const asn1 = forge.pkcs12.toPkcs12Asn1(
      forge.pki.privateKeyFromPem(key.privateKeyPem),
      // forge's types omit the documented null ("no certificate")
      (certificates?.map((certificate) => forge.pki.certificateFromPem(certificate.certificatePem)) ??
        null) as forge.pki.Certificate[],
      PASSWORD,
      options,
    );
    return Buffer.from(forge.asn1.toDer(asn1).getBytes(), "binary");
  }

  describe.skipIf(!hasOpenssl)("files written by OpenSSL", () => {
    it("reads an OpenSSL 3 default PFX (AES-256-CBC, PBKDF2, SHA-256 MAC)", () => {
      const pfx = opensslPfx("modern", leaf);
      const info = opensslOutput([
        "pkcs12",
        "-info",
        "-noout",
        "-in",
        tmp.write("modern-check.pfx", pfx),
        "-passin",
        `pass:${PASSWORD}`,
      ]);
      expect(info.output).toMatch(/MAC: sha256/);
      expect(info.output).toMatch(/Shrouded Keybag: PBES2, PBKDF2, AES-256-CBC/);
      const result = expectOk(importPfx({ pfx, password: PASSWORD }));
      expect(pemBody(result.certificatePem)).toEqual(pemBody(leaf.certificatePem));
      expect(sameKey(result.privateKeyPem, leaf)).toBe(true);
      expect(result.certificate.thumbprints).toEqual(certificateThumbprints(leaf.certificatePem));
    });

    it("refuses a wrong password for a modern PFX", () => {
      const pfx = opensslPfx("modern-wrong", leaf);
      const result = importPfx({ pfx, password: "pfx-password-1" });
      expectRefused(result, "wrong_password", /PFX/);
      expect(JSON.stringify(result)).not.toContain("pfx-password-1");
    });

    it.skipIf(!hasOpensslLegacy)("reads a legacy PFX (RC2-40 certificates, 3DES key, SHA-1 MAC)", () => {
      const pfx = opensslPfx("legacy", leaf, ["-legacy"]);
      const info = opensslOutput([
        "pkcs12",
        "-info",
        "-noout",
        "-legacy",
        "-in",
        tmp.write("legacy-check.pfx", pfx),
        "-passin",
        `pass:${PASSWORD}`,
      ]);
      expect(info.output).toMatch(/MAC: sha1/);
      expect(info.output).toMatch(/pbeWithSHA1And40BitRC2-CBC/);
      const result = expectOk(importPfx({ pfx, password: PASSWORD }));
      expect(pemBody(result.certificatePem)).toEqual(pemBody(leaf.certificatePem));
      expect(sameKey(result.privateKeyPem, leaf)).toBe(true);
      expectRefused(importPfx({ pfx, password: "wrong" }), "wrong_password");
    });

    it("reads a 3DES-everywhere PFX with a SHA-1 MAC", () => {
      const pfx = opensslPfx("3des", leaf, ["-certpbe", "PBE-SHA1-3DES", "-keypbe", "PBE-SHA1-3DES", "-macalg", "sha1"]);
      expect(sameKey(expectOk(importPfx({ pfx, password: PASSWORD })).privateKeyPem, leaf)).toBe(true);
      expectRefused(importPfx({ pfx, password: "wrong" }), "wrong_password");
    });

    it("reads a PFX without a MAC, telling a wrong password by failed decryption", () => {
      const pfx = opensslPfx("nomac", leaf, ["-nomac"]);
      expectOk(importPfx({ pfx, password: PASSWORD }));
      expectRefused(importPfx({ pfx, password: "wrong" }), "wrong_password");
    });

    it("reads a PFX with an unencrypted certificate safe (-certpbe NONE)", () => {
      const pfx = opensslPfx("certnone", leaf, ["-certpbe", "NONE"]);
      expect(pemBody(expectOk(importPfx({ pfx, password: PASSWORD })).certificatePem)).toEqual(pemBody(leaf.certificatePem));
    });

    it("reads an empty password", () => {
      const pfx = opensslPfx("empty", leaf, [], "");
      expectOk(importPfx({ pfx, password: "" }));
      expectRefused(importPfx({ pfx, password: "x" }), "wrong_password");
    });

    it("treats non-ASCII passwords as OpenSSL does (UTF-8 for PBES2, BMPString for the MAC)", () => {
      const password = "Pässwört-ñ-€";
      const pfx = opensslPfx("unicode", leaf, [], password);
      expectOk(importPfx({ pfx, password }));
      expectRefused(importPfx({ pfx, password: "Passwort-n-E" }), "wrong_password");
    });

    it("returns the CA as the chain (openssl -certfile)", () => {
      const caFile = tmp.write("ca.crt", ca.certificatePem);
      const pfx = opensslPfx("chain", issued, ["-certfile", caFile]);
      const result = expectOk(importPfx({ pfx, password: PASSWORD }));
      expect(result.certificate.subject).toBe("CN=issued");
      expect(result.chainPem?.map(pemBody)).toEqual([pemBody(ca.certificatePem)]);
    });

    it("refuses a PFX without a key, and one without a certificate", () => {
      const certFile = tmp.write("nokey.crt", leaf.certificatePem);
      const noKeyFile = tmp.file("nokey.pfx");
      openssl(["pkcs12", "-export", "-nokeys", "-in", certFile, "-passout", `pass:${PASSWORD}`, "-out", noKeyFile]);
      expectRefused(importPfx({ pfx: fs.readFileSync(noKeyFile), password: PASSWORD }), "no_key_in_pfx");

      const keyFile = tmp.write("nocert.key", leaf.privateKeyPem);
      const noCertFile = tmp.file("nocert.pfx");
      openssl(["pkcs12", "-export", "-nocerts", "-inkey", keyFile, "-passout", `pass:${PASSWORD}`, "-out", noCertFile]);
      expectRefused(importPfx({ pfx: fs.readFileSync(noCertFile), password: PASSWORD }), "no_certificate_in_pfx");
    });

    it("refuses EC, weak and expired certificates inside a PFX", () => {
      expectRefused(importPfx({ pfx: opensslPfx("ec", ec), password: PASSWORD }), "not_rsa");
      expectRefused(importPfx({ pfx: opensslPfx("weak", weak), password: PASSWORD }), "weak_key");
      expectRefused(importPfx({ pfx: opensslPfx("expired", expired), password: PASSWORD }), "expired");
    });

    it("keeps the certificate's bytes exactly, so the thumbprint is the one Entra computes", () => {
      // Re-encode the outer signatureAlgorithm without its NULL parameters (allowed by RFC 4055 and
      // produced by some CAs). A library that parses and re-serialises the certificate, as forge's
      // PKCS#12 reader does, would put the NULL back and change the thumbprint.
      const original = pemBody(leaf.certificatePem);
      const [tbs, , signature] = sequence(readSingle(original), "Certificate");
      const variant = der.sequence(tbs!.raw, der.sequence(der.oid("1.2.840.113549.1.1.11")), signature!.raw);
      const variantPem = `-----BEGIN CERTIFICATE-----\n${variant.toString("base64")}\n-----END CERTIFICATE-----\n`;
      const pfx = opensslPfx("variant", { ...leaf, certificatePem: variantPem });
      const result = expectOk(importPfx({ pfx, password: PASSWORD }));
      expect(pemBody(result.certificatePem)).toEqual(variant);
      const sha1 = openssl(["x509", "-noout", "-fingerprint", "-sha1", "-inform", "DER"], variant).toString();
      expect(sha1.replace(/^.*=/, "").replace(/[:\s]/g, "")).toBe(result.certificate.thumbprints.sha1Hex);
    });

    it("reads the same key as forge does", () => {
      const pfx = opensslPfx("forge-compare", leaf);
      const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(pfx.toString("binary")), PASSWORD);
      const bagType = forge.pki.oids.pkcs8ShroudedKeyBag!;
      const bag = p12.getBags({ bagType })[bagType]![0]!;
      const forgeKey = forge.pki.privateKeyToPem(bag.key!);
      const ours = expectOk(importPfx({ pfx, password: PASSWORD })).privateKeyPem;
      expect(createPrivateKey(forgeKey).export({ type: "pkcs8", format: "der" })).toEqual(
        createPrivateKey(ours).export({ type: "pkcs8", format: "der" }),
      );
    });
  });

  describe("files written by forge", () => {
    it.each(["3des", "aes128", "aes256"] as const)("reads %s", (algorithm) => {
      const pfx = forgePfx(leaf, [leaf], { algorithm });
      const result = expectOk(importPfx({ pfx, password: PASSWORD }));
      expect(pemBody(result.certificatePem)).toEqual(pemBody(leaf.certificatePem));
      expectRefused(importPfx({ pfx, password: "wrong" }), "wrong_password");
    });

    it("picks the certificate that matches the key when the CA comes first", () => {
      const result = expectOk(importPfx({ pfx: forgePfx(issued, [ca, issued]), password: PASSWORD }));
      expect(result.certificate.subject).toBe("CN=issued");
      expect(result.chainPem?.map(pemBody)).toEqual([pemBody(ca.certificatePem)]);
    });

    it("refuses a PFX whose only certificate does not match the key", () => {
      expectRefused(importPfx({ pfx: forgePfx(other, [leaf]), password: PASSWORD }), "key_mismatch");
    });

    it("refuses a PFX with a key and no certificate", () => {
      expectRefused(importPfx({ pfx: forgePfx(leaf, null), password: PASSWORD }), "no_certificate_in_pfx");
    });
  });

  it.each([
    ["random bytes", Buffer.from("this is not a pfx file at all")],
    ["a PEM certificate", Buffer.from("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")],
    ["an empty file", Buffer.alloc(0)],
    ["a DER certificate", Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01])],
  ])("refuses %s as bad_pfx", (_name, pfx) => {
    expectRefused(importPfx({ pfx, password: PASSWORD }), "bad_pfx");
  });

  it("refuses a truncated PFX as bad_pfx", () => {
    const pfx = forgePfx(leaf, [leaf]);
    expectRefused(importPfx({ pfx: pfx.subarray(0, pfx.length - 40), password: PASSWORD }), "bad_pfx");
  });
});
