import "reflect-metadata";
import { createPrivateKey, X509Certificate } from "node:crypto";
import * as x509 from "@peculiar/x509";
import { compactVerify, importPKCS8, importX509, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { CertificateError } from "@/lib/certs/errors";
import { generateSelfSignedCertificate, type GenerateSelfSignedOptions } from "@/lib/certs/generate";
import { describeCertificate } from "@/lib/certs/inspect";
import { keyMatchesCertificate } from "@/lib/certs/export";
import { hasOpenssl, openssl } from "@/lib/certs/test-fixtures";
import { certificateThumbprints } from "@/lib/certs/thumbprints";

const NOW = new Date("2026-03-01T12:00:00.000Z");
const DAY = 86_400_000;

async function rejectionCode(options: GenerateSelfSignedOptions): Promise<string | undefined> {
  try {
    await generateSelfSignedCertificate(options);
  } catch (error) {
    return error instanceof CertificateError ? error.code : String(error);
  }
  return undefined;
}

describe("generateSelfSignedCertificate", () => {
  it("makes an RSA-2048, SHA-256, self-signed certificate and an unencrypted PKCS#8 key", async () => {
    const { certificatePem, privateKeyPem } = await generateSelfSignedCertificate({
      commonName: "mail-connector",
      keySize: 2048,
      now: NOW,
    });
    expect(certificatePem).toMatch(/^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/=]{1,64}\n)+-----END CERTIFICATE-----\n$/);
    expect(privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);

    const certificate = new X509Certificate(certificatePem);
    expect(certificate.subject).toBe("CN=mail-connector");
    expect(certificate.issuer).toBe("CN=mail-connector");
    expect(certificate.verify(certificate.publicKey)).toBe(true);
    expect(certificate.publicKey.asymmetricKeyType).toBe("rsa");
    expect(certificate.publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(certificate.publicKey.asymmetricKeyDetails?.publicExponent).toBe(65537n);
    expect(certificate.ca).toBe(false);
    expect(keyMatchesCertificate(certificatePem, privateKeyPem)).toBe(true);
    expect(createPrivateKey(privateKeyPem).asymmetricKeyType).toBe("rsa");

    const description = describeCertificate(certificatePem, NOW);
    expect(description.signatureAlgorithm).toBe("sha256WithRSAEncryption");
    expect(description.selfSigned).toBe(true);
    // backdated 5 minutes against clock skew; default validity one year
    expect(description.notBefore).toBe(new Date(NOW.getTime() - 5 * 60_000).toISOString());
    expect(description.notAfter).toBe(new Date(NOW.getTime() + 365 * DAY).toISOString());

    const parsed = new x509.X509Certificate(certificatePem);
    const keyUsage = parsed.getExtension(x509.KeyUsagesExtension);
    expect(keyUsage?.critical).toBe(true);
    expect(keyUsage?.usages).toBe(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment);
  });

  // What OAuth2 "Method 2" does with the result: sign a client assertion with the key, name the
  // certificate by thumbprint, and the token endpoint verifies it with the uploaded certificate.
  it.each(["RS256", "PS256"] as const)("yields a key and certificate that work for a %s client assertion", async (alg) => {
    const { certificatePem, privateKeyPem } = await generateSelfSignedCertificate({ commonName: "assertion", keySize: 2048 });
    const { x5t, x5tS256 } = certificateThumbprints(certificatePem);
    const jwt = await new SignJWT({ jti: "1" })
      .setProtectedHeader({ alg, typ: "JWT", ...(alg === "PS256" ? { "x5t#S256": x5tS256 } : { x5t }) })
      .setIssuer("client-id")
      .setSubject("client-id")
      .setAudience("https://login.microsoftonline.com/tenant/oauth2/v2.0/token")
      .setExpirationTime("5m")
      .sign(await importPKCS8(privateKeyPem, alg));
    const { protectedHeader } = await compactVerify(jwt, await importX509(certificatePem, alg));
    expect(protectedHeader.alg).toBe(alg);
  });

  it("uses a random, positive serial number of 16 octets", async () => {
    const [a, b] = await Promise.all([
      generateSelfSignedCertificate({ commonName: "serial-a", keySize: 2048 }),
      generateSelfSignedCertificate({ commonName: "serial-b", keySize: 2048 }),
    ]);
    const serialA = new X509Certificate(a.certificatePem).serialNumber;
    const serialB = new X509Certificate(b.certificatePem).serialNumber;
    expect(serialA).toMatch(/^[4-7][0-9A-F]{31}$/);
    expect(serialA).not.toBe(serialB);
  });

  it("makes 3072-bit keys", async () => {
    const { certificatePem, privateKeyPem } = await generateSelfSignedCertificate({ commonName: "rsa-3072", keySize: 3072 });
    expect(new X509Certificate(certificatePem).publicKey.asymmetricKeyDetails?.modulusLength).toBe(3072);
    expect(keyMatchesCertificate(certificatePem, privateKeyPem)).toBe(true);
  });

  // 4096-bit key generation takes one to several seconds: tested once, here.
  it("makes 4096-bit keys", async () => {
    const { certificatePem } = await generateSelfSignedCertificate({ commonName: "rsa-4096", keySize: 4096 });
    expect(describeCertificate(certificatePem).keySize).toBe(4096);
  });

  it.each([1, 3650])("honours validityDays = %i", async (validityDays) => {
    const { certificatePem } = await generateSelfSignedCertificate({
      commonName: "validity",
      keySize: 2048,
      validityDays,
      now: NOW,
    });
    expect(describeCertificate(certificatePem, NOW).notAfter).toBe(new Date(NOW.getTime() + validityDays * DAY).toISOString());
  });

  it("keeps a common name with DN syntax characters as one CN value", async () => {
    const commonName = "Contoso, Inc. + mail=x; OU=evil";
    const { certificatePem } = await generateSelfSignedCertificate({ commonName, keySize: 2048 });
    const name = new x509.X509Certificate(certificatePem).subjectName;
    expect(name.getField("CN")).toEqual([commonName]);
    expect(name.getField("OU")).toEqual([]);
    expect(name.toJSON()).toHaveLength(1);
  });

  it("accepts non-ASCII names up to 64 characters and trims blanks around the name", async () => {
    const commonName = `Müller Mail-Connector ${"ü".repeat(42)}`;
    expect([...commonName]).toHaveLength(64);
    const { certificatePem } = await generateSelfSignedCertificate({ commonName: `  ${commonName}  `, keySize: 2048 });
    expect(new x509.X509Certificate(certificatePem).subjectName.getField("CN")).toEqual([commonName]);
  });

  it.skipIf(!hasOpenssl)("is what OpenSSL reports", async () => {
    const { certificatePem } = await generateSelfSignedCertificate({ commonName: "openssl-check", keySize: 2048 });
    const text = openssl(["x509", "-noout", "-text"], certificatePem).toString();
    expect(text).toMatch(/Signature Algorithm: sha256WithRSAEncryption/);
    expect(text).toMatch(/Public-Key: \(2048 bit\)/);
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Key Encipherment/);
    expect(text).toMatch(/CA:FALSE/);
    expect(text).toMatch(/Subject: CN ?= ?openssl-check/);
    expect(text).toMatch(/Issuer: CN ?= ?openssl-check/);
  });

  it.each<[string, Partial<GenerateSelfSignedOptions>]>([
    ["an empty name", { commonName: "" }],
    ["a blank name", { commonName: "   " }],
    ["a 65-character name", { commonName: "x".repeat(65) }],
    ["a name with a line break", { commonName: "mail\nconnector" }],
    ["a name with a NUL", { commonName: "mail\u0000connector" }],
    ["a name that is not a string", { commonName: 42 as unknown as string }],
    ["1024-bit keys", { keySize: 1024 as 2048 }],
    ["validity 0", { validityDays: 0 }],
    ["validity 3651", { validityDays: 3651 }],
    ["fractional validity", { validityDays: 1.5 }],
    ["an invalid now", { now: new Date(Number.NaN) }],
  ])("refuses %s with invalid_input", async (_name, override) => {
    expect(await rejectionCode({ commonName: "ok", keySize: 2048, ...override })).toBe("invalid_input");
  });
});
