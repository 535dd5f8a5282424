import { X509Certificate } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { CertificateError } from "@/lib/certs/errors";
import { generateSelfSignedCertificate } from "@/lib/certs/generate";
import { describeCertificate, EXPIRING_SOON_DAYS, expiryStatusAt } from "@/lib/certs/inspect";
import { ecKey, hasOpenssl, makeCertificate, openssl, pemBody, type TestCertificate } from "@/lib/certs/test-fixtures";
import { certificateThumbprints } from "@/lib/certs/thumbprints";

const NOW = new Date("2026-03-01T12:00:00.000Z");
const DAY = 86_400_000;
const at = (ms: number) => new Date(ms);

function errorOf(fn: () => unknown): CertificateError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CertificateError) return error;
    throw error;
  }
  throw new Error("expected a CertificateError");
}

describe("describeCertificate", () => {
  let generated: { certificatePem: string; privateKeyPem: string };

  beforeAll(async () => {
    generated = await generateSelfSignedCertificate({ commonName: "mail-connector", keySize: 2048, validityDays: 365, now: NOW });
  });

  it("describes a generated certificate", () => {
    const description = describeCertificate(generated.certificatePem, NOW);
    const x509 = new X509Certificate(generated.certificatePem);
    expect(description).toEqual({
      subject: "CN=mail-connector",
      issuer: "CN=mail-connector",
      serialNumber: x509.serialNumber.toUpperCase(),
      notBefore: "2026-03-01T11:55:00.000Z",
      notAfter: "2027-03-01T12:00:00.000Z",
      keyAlgorithm: "RSA",
      keySize: 2048,
      signatureAlgorithm: "sha256WithRSAEncryption",
      selfSigned: true,
      thumbprints: certificateThumbprints(generated.certificatePem),
      daysUntilExpiry: 365,
      expiryStatus: "valid",
    });
  });

  it("reads DER bytes like PEM", () => {
    expect(describeCertificate(pemBody(generated.certificatePem), NOW)).toEqual(
      describeCertificate(generated.certificatePem, NOW),
    );
  });

  it("describes the first certificate of a bundle", async () => {
    const other = await makeCertificate({ commonName: "second" });
    expect(describeCertificate(`${generated.certificatePem}\n${other.certificatePem}`, NOW).subject).toBe("CN=mail-connector");
    expect(describeCertificate(`${other.certificatePem}${generated.certificatePem}`, NOW).subject).toBe("CN=second");
  });

  it.skipIf(!hasOpenssl)("reads OpenSSL's TRUSTED CERTIFICATE form (certificate followed by trust settings)", () => {
    const trusted = openssl(["x509", "-trustout", "-addtrust", "clientAuth"], generated.certificatePem).toString();
    expect(trusted).toMatch(/BEGIN TRUSTED CERTIFICATE/);
    expect(describeCertificate(trusted, NOW).thumbprints).toEqual(certificateThumbprints(generated.certificatePem));
  });

  it("reads the old X509 CERTIFICATE label", () => {
    const old = generated.certificatePem.replace(/CERTIFICATE-----/g, "X509 CERTIFICATE-----");
    expect(describeCertificate(old, NOW).subject).toBe("CN=mail-connector");
  });

  it.skipIf(!hasOpenssl)("agrees with OpenSSL on dates and serial", () => {
    const description = describeCertificate(generated.certificatePem, NOW);
    const out = openssl(["x509", "-noout", "-serial", "-startdate", "-enddate"], generated.certificatePem).toString();
    expect(out).toContain(`serial=${description.serialNumber}`);
    const start = /notBefore=(.*)/.exec(out)![1]!;
    const end = /notAfter=(.*)/.exec(out)![1]!;
    expect(new Date(start).toISOString()).toBe(description.notBefore);
    expect(new Date(end).toISOString()).toBe(description.notAfter);
  });

  describe("expiry status", () => {
    const notBefore = NOW.getTime() - 5 * 60_000;
    const notAfter = NOW.getTime() + 365 * DAY;

    it.each([
      ["one second before notBefore", "not_yet_valid", notBefore - 1000, 365],
      ["at notBefore", "valid", notBefore, 365],
      ["31 days before expiry", "valid", notAfter - 31 * DAY, 31],
      ["exactly 30 days before expiry", "expiring_soon", notAfter - 30 * DAY, 30],
      ["29.5 days before expiry", "expiring_soon", notAfter - 29.5 * DAY, 29],
      ["one millisecond before expiry", "expiring_soon", notAfter - 1, 0],
      ["at notAfter (still valid, RFC 5280 is inclusive)", "expiring_soon", notAfter, 0],
      ["one millisecond after expiry", "expired", notAfter + 1, -1],
      ["ten days after expiry", "expired", notAfter + 10 * DAY, -10],
    ] as const)("%s → %s", (_name, status, now, days) => {
      const description = describeCertificate(generated.certificatePem, at(now));
      expect(description.expiryStatus).toBe(status);
      expect(description.daysUntilExpiry).toBe(days);
    });

    it("uses the current time by default", async () => {
      const old = await makeCertificate({ notBefore: at(Date.now() - 400 * DAY), notAfter: at(Date.now() - DAY) });
      expect(describeCertificate(old.certificatePem).expiryStatus).toBe("expired");
    });

    it("flags expiring_soon within the documented window", () => {
      expect(EXPIRING_SOON_DAYS).toBe(30);
      expect(expiryStatusAt(at(0), at(100 * DAY), at(70 * DAY))).toBe("expiring_soon");
      expect(expiryStatusAt(at(0), at(100 * DAY), at(70 * DAY - 1))).toBe("valid");
    });
  });

  describe("other certificates", () => {
    let ca: TestCertificate;

    beforeAll(async () => {
      ca = await makeCertificate({ commonName: "MCF Test CA", ca: true });
    });

    it("recognises a CA-issued certificate as not self-signed", async () => {
      const leaf = await makeCertificate({ commonName: "leaf", issuer: ca });
      const description = describeCertificate(leaf.certificatePem);
      expect(description.selfSigned).toBe(false);
      expect(description.subject).toBe("CN=leaf");
      expect(description.issuer).toBe("CN=MCF Test CA");
    });

    it("does not call a certificate self-signed when the names match but another key signed it", async () => {
      const impostor = await makeCertificate({ commonName: "MCF Test CA", issuer: ca });
      expect(describeCertificate(impostor.certificatePem).selfSigned).toBe(false);
      expect(describeCertificate(ca.certificatePem).selfSigned).toBe(true);
    });

    it("describes EC certificates (which import will refuse)", async () => {
      const ec = await makeCertificate({ key: ecKey(), commonName: "ec" });
      const description = describeCertificate(ec.certificatePem);
      expect(description.keyAlgorithm).toBe("EC");
      expect(description.keySize).toBe(256);
      expect(description.namedCurve).toBe("prime256v1");
      expect(description.signatureAlgorithm).toBe("ecdsa-with-SHA256");
      expect(description.selfSigned).toBe(true);
    });

    it("escapes commas inside a name value", async () => {
      const { certificatePem } = await generateSelfSignedCertificate({ commonName: "Contoso, Inc.", keySize: 2048 });
      expect(describeCertificate(certificatePem).subject).toBe("CN=Contoso\\, Inc.");
    });
  });

  describe("unreadable input", () => {
    it.each([
      ["garbage text", "hello", /not a certificate/],
      ["empty text", "", /No certificate was provided/],
      ["a private key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", /private key, not a certificate/],
      ["a CSR", "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n", /signing request/],
      ["a PKCS#7 bundle", "-----BEGIN PKCS7-----\nAAAA\n-----END PKCS7-----\n", /PKCS#7/],
      ["damaged base64", "-----BEGIN CERTIFICATE-----\nMII*notbase64\n-----END CERTIFICATE-----\n", /damaged/],
      ["a truncated certificate", "TRUNCATE", /not a certificate/],
      ["random bytes", Buffer.from([0x30, 0x03, 0x02, 0x01, 0x01]), /not a certificate/],
    ])("refuses %s with bad_certificate", (_name, input, message) => {
      const value = input === "TRUNCATE" ? generated.certificatePem.slice(0, 300) + "\n-----END CERTIFICATE-----\n" : input;
      const error = errorOf(() => describeCertificate(value));
      expect(error.code).toBe("bad_certificate");
      expect(error.userMessage).toMatch(message);
    });
  });
});
