import "server-only";
import "reflect-metadata";
import { execFileSync, spawnSync } from "node:child_process";
import { createPublicKey, generateKeyPairSync, randomBytes, webcrypto, type KeyObject } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as x509 from "@peculiar/x509";

/**
 * Test-only helpers for lib/certs: certificates with arbitrary keys, dates and issuers (things the
 * product's generator deliberately refuses to make), and an OpenSSL runner for cross-checks.
 * Nothing in the product imports this file.
 */

const crypto = webcrypto as unknown as Crypto;

export interface TestCertificate {
  certificatePem: string;
  privateKeyPem: string;
  privateKey: KeyObject;
  subject: string;
}

export function rsaKey(modulusLength = 2048): KeyObject {
  return generateKeyPairSync("rsa", { modulusLength }).privateKey;
}

export function ecKey(namedCurve = "prime256v1"): KeyObject {
  return generateKeyPairSync("ec", { namedCurve }).privateKey;
}

function algorithmsFor(key: KeyObject): {
  importAlgorithm: RsaHashedImportParams | EcKeyImportParams;
  signingAlgorithm: Algorithm | EcdsaParams;
} {
  if (key.asymmetricKeyType === "rsa") {
    const algorithm = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
    return { importAlgorithm: algorithm, signingAlgorithm: algorithm };
  }
  if (key.asymmetricKeyType === "ec") {
    const curve = key.asymmetricKeyDetails?.namedCurve === "secp384r1" ? "P-384" : "P-256";
    return {
      importAlgorithm: { name: "ECDSA", namedCurve: curve },
      signingAlgorithm: { name: "ECDSA", hash: "SHA-256" } as EcdsaParams,
    };
  }
  throw new Error(`test fixture: unsupported key type ${key.asymmetricKeyType}`);
}

async function cryptoKeys(key: KeyObject): Promise<CryptoKeyPair> {
  const { importAlgorithm } = algorithmsFor(key);
  const privateKey = await crypto.subtle.importKey("pkcs8", key.export({ type: "pkcs8", format: "der" }), importAlgorithm, true, [
    "sign",
  ]);
  const publicKey = await crypto.subtle.importKey(
    "spki",
    createPublicKey(key).export({ type: "spki", format: "der" }),
    importAlgorithm,
    true,
    ["verify"],
  );
  return { privateKey, publicKey };
}

export async function makeCertificate(
  options: {
    key?: KeyObject;
    commonName?: string;
    notBefore?: Date;
    notAfter?: Date;
    /** Sign with this certificate's key instead of self-signing. */
    issuer?: TestCertificate;
    ca?: boolean;
  } = {},
): Promise<TestCertificate> {
  const key = options.key ?? rsaKey();
  const keys = await cryptoKeys(key);
  const subject = `CN=${options.commonName ?? "mcf-test"}`;
  const notBefore = options.notBefore ?? new Date(Date.now() - 60_000);
  const notAfter = options.notAfter ?? new Date(Date.now() + 90 * 86_400_000);
  const extensions = [new x509.BasicConstraintsExtension(options.ca ?? false, undefined, true)];
  const serialNumber = randomBytes(8).toString("hex").replace(/^./, "1");
  let certificate: x509.X509Certificate;
  if (options.issuer) {
    const issuerKeys = await cryptoKeys(options.issuer.privateKey);
    certificate = await x509.X509CertificateGenerator.create(
      {
        serialNumber,
        subject,
        issuer: options.issuer.subject,
        notBefore,
        notAfter,
        publicKey: keys.publicKey,
        signingKey: issuerKeys.privateKey,
        signingAlgorithm: algorithmsFor(options.issuer.privateKey).signingAlgorithm,
        extensions,
      },
      crypto,
    );
  } else {
    certificate = await x509.X509CertificateGenerator.createSelfSigned(
      {
        serialNumber,
        name: subject,
        notBefore,
        notAfter,
        keys,
        signingAlgorithm: algorithmsFor(key).signingAlgorithm,
        extensions,
      },
      crypto,
    );
  }
  return {
    certificatePem: certificate.toString("pem"),
    privateKeyPem: key.export({ type: "pkcs8", format: "pem" }).toString(),
    privateKey: key,
    subject,
  };
}

/** Base64 body of a single-block PEM, decoded. */
export function pemBody(pem: string): Buffer {
  return Buffer.from(pem.replace(/-----(BEGIN|END) [A-Z ]+-----/g, "").replace(/\s+/g, ""), "base64");
}

export const hasOpenssl = spawnSync("openssl", ["version"], { encoding: "utf8" }).status === 0;

export function openssl(args: string[], input?: string | Buffer): Buffer {
  return execFileSync("openssl", args, { input, stdio: ["pipe", "pipe", "pipe"] });
}

/** Runs openssl and returns its exit status with stdout and stderr together (pkcs12 -info writes to stderr). */
export function opensslOutput(args: string[], input?: string | Buffer): { status: number | null; output: string } {
  const result = spawnSync("openssl", args, { input, encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Whether this OpenSSL can still write RC2/3DES "-legacy" PKCS#12 files (needs the legacy provider). */
export const hasOpensslLegacy =
  hasOpenssl && spawnSync("openssl", ["list", "-providers", "-provider", "legacy"], { encoding: "utf8" }).status === 0;

export interface TempDir {
  dir: string;
  write(name: string, data: string | Buffer): string;
  file(name: string): string;
  remove(): void;
}

export function tempDir(): TempDir {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcf-certs-"));
  return {
    dir,
    write(name, data) {
      const file = path.join(dir, name);
      fs.writeFileSync(file, data, { mode: 0o600 });
      return file;
    },
    file: (name) => path.join(dir, name),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}
