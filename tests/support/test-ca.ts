/**
 * A throw-away certificate authority for tests: a CA, and server certificates it signs for
 * 127.0.0.1 / localhost (or, for fault injection, for another host or already expired).
 * Dovecot, the token-endpoint stand-in and the fault servers all use it; clients trust only `caPem`.
 */
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const alg = {
  name: "RSASSA-PKCS1-v1_5",
  hash: "SHA-256",
  publicExponent: new Uint8Array([1, 0, 1]),
  modulusLength: 2048,
} as const;

export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
}

export interface TestCa {
  caPem: string;
  caKeyPem: string;
  issue(options?: {
    hosts?: string[];
    ips?: string[];
    notBefore?: Date;
    notAfter?: Date;
    commonName?: string;
  }): Promise<IssuedCertificate>;
  /** writes ca.pem, and server.pem + server.key for 127.0.0.1/localhost, into dir */
  writeTo(dir: string): Promise<{ caFile: string; certFile: string; keyFile: string }>;
}

async function keyPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", key as unknown as webcrypto.CryptoKey));
  return `-----BEGIN PRIVATE KEY-----\n${der
    .toString("base64")
    .match(/.{1,64}/g)!
    .join("\n")}\n-----END PRIVATE KEY-----\n`;
}

export async function createTestCa(name = "MCF Test CA"): Promise<TestCa> {
  const caKeys = (await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"])) as unknown as CryptoKeyPair;
  const now = Date.now();
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: `CN=${name}`,
    notBefore: new Date(now - 60_000),
    notAfter: new Date(now + 7 * 86_400_000),
    keys: caKeys,
    signingAlgorithm: alg,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  let serial = 2;
  const caKeyPem = await keyPem(caKeys.privateKey);

  const issue: TestCa["issue"] = async (options = {}) => {
    const hosts = options.hosts ?? ["localhost"];
    const ips = options.ips ?? (options.hosts ? [] : ["127.0.0.1"]);
    const keys = (await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"])) as unknown as CryptoKeyPair;
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: (serial++).toString(16).padStart(2, "0"),
      subject: `CN=${options.commonName ?? hosts[0] ?? ips[0]}`,
      issuer: ca.subject,
      notBefore: options.notBefore ?? new Date(now - 60_000),
      notAfter: options.notAfter ?? new Date(now + 2 * 86_400_000),
      signingKey: caKeys.privateKey,
      publicKey: keys.publicKey,
      signingAlgorithm: alg,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
        new x509.SubjectAlternativeNameExtension([
          ...hosts.map((value) => ({ type: "dns" as const, value })),
          ...ips.map((value) => ({ type: "ip" as const, value })),
        ]),
        await x509.AuthorityKeyIdentifierExtension.create(caKeys.publicKey),
      ],
    });
    return { certPem: cert.toString("pem"), keyPem: await keyPem(keys.privateKey) };
  };

  const caPem = ca.toString("pem");
  return {
    caPem,
    caKeyPem,
    issue,
    async writeTo(dir) {
      fs.mkdirSync(dir, { recursive: true });
      const server = await issue({ hosts: ["localhost"], ips: ["127.0.0.1"] });
      const files = {
        caFile: path.join(dir, "ca.pem"),
        certFile: path.join(dir, "server.pem"),
        keyFile: path.join(dir, "server.key"),
      };
      fs.writeFileSync(files.caFile, caPem);
      fs.writeFileSync(files.certFile, server.certPem);
      fs.writeFileSync(files.keyFile, server.keyPem, { mode: 0o600 });
      return files;
    },
  };
}
