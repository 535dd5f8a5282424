import "server-only";
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  createPrivateKey,
  pbkdf2Sync,
  randomBytes,
  timingSafeEqual,
  type KeyObject,
} from "node:crypto";
import forge from "node-forge";
import {
  Asn1Error,
  der,
  explicitInner,
  isContext,
  isUniversal,
  octets,
  octetString,
  oidOf,
  readFirst,
  readSingle,
  sequence,
  smallIntegerOf,
  Tag,
  utf16be,
  type Asn1Node,
} from "@/lib/certs/der";
import { CertificateError } from "@/lib/certs/errors";

/**
 * PKCS#12 (.pfx/.p12) reading and writing, after RFC 7292.
 *
 * Why not forge.pkcs12: (1) it hands certificates back as parsed objects and re-encodes them on the
 * way out, rebuilding the signature AlgorithmIdentifier (a certificate that omits the NULL
 * parameters gains two bytes), so the DER and with it the thumbprint Entra matches on can change;
 * (2) its writer only does SHA-1 MACs; (3) it feeds PBES2 one byte per password character where
 * OpenSSL 3 uses UTF-8, so it cannot open an OpenSSL 3 PFX with a non-ASCII password. So the
 * container is walked here and all crypto is node:crypto, except RC2 (legacy PFX certificate bags),
 * which OpenSSL 3 only ships in its legacy provider and Node does not load: that one is forge's.
 */

const OID = {
  data: "1.2.840.113549.1.7.1",
  signedData: "1.2.840.113549.1.7.2",
  encryptedData: "1.2.840.113549.1.7.6",
  keyBag: "1.2.840.113549.1.12.10.1.1",
  pkcs8ShroudedKeyBag: "1.2.840.113549.1.12.10.1.2",
  certBag: "1.2.840.113549.1.12.10.1.3",
  safeContentsBag: "1.2.840.113549.1.12.10.1.6",
  x509Certificate: "1.2.840.113549.1.9.22.1",
  friendlyName: "1.2.840.113549.1.9.20",
  localKeyId: "1.2.840.113549.1.9.21",
  pbes2: "1.2.840.113549.1.5.13",
  pbkdf2: "1.2.840.113549.1.5.12",
  hmacWithSha256: "1.2.840.113549.2.9",
  aes256Cbc: "2.16.840.1.101.3.4.1.42",
  sha256: "2.16.840.1.101.3.4.2.1",
} as const;

interface HashInfo {
  name: string;
  /** input block size in bytes: the "v" of RFC 7292 appendix B */
  blockSize: number;
  length: number;
}

const HASHES: Record<string, HashInfo> = {
  sha1: { name: "sha1", blockSize: 64, length: 20 },
  sha224: { name: "sha224", blockSize: 64, length: 28 },
  sha256: { name: "sha256", blockSize: 64, length: 32 },
  sha384: { name: "sha384", blockSize: 128, length: 48 },
  sha512: { name: "sha512", blockSize: 128, length: 64 },
};

/** MAC digest algorithms (DigestInfo in MacData) */
const DIGEST_OIDS: Record<string, HashInfo> = {
  "1.3.14.3.2.26": HASHES.sha1!,
  "2.16.840.1.101.3.4.2.4": HASHES.sha224!,
  [OID.sha256]: HASHES.sha256!,
  "2.16.840.1.101.3.4.2.2": HASHES.sha384!,
  "2.16.840.1.101.3.4.2.3": HASHES.sha512!,
};

/** PBKDF2 pseudo-random functions */
const PRF_OIDS: Record<string, HashInfo> = {
  "1.2.840.113549.2.7": HASHES.sha1!,
  "1.2.840.113549.2.8": HASHES.sha224!,
  [OID.hmacWithSha256]: HASHES.sha256!,
  "1.2.840.113549.2.10": HASHES.sha384!,
  "1.2.840.113549.2.11": HASHES.sha512!,
};

/** PBES2 encryption schemes */
const PBES2_CIPHERS: Record<string, { name: string; keyLength: number }> = {
  "2.16.840.1.101.3.4.1.2": { name: "aes-128-cbc", keyLength: 16 },
  "2.16.840.1.101.3.4.1.22": { name: "aes-192-cbc", keyLength: 24 },
  [OID.aes256Cbc]: { name: "aes-256-cbc", keyLength: 32 },
  "1.2.840.113549.3.7": { name: "des-ede3-cbc", keyLength: 24 },
};

/** The PKCS#12 password-based schemes (RFC 7292 appendix C), all keyed through SHA-1. */
const PKCS12_PBE: Record<string, { cipher: "des-ede3-cbc" | "des-ede-cbc" | "rc2"; keyLength: number }> = {
  "1.2.840.113549.1.12.1.3": { cipher: "des-ede3-cbc", keyLength: 24 },
  "1.2.840.113549.1.12.1.4": { cipher: "des-ede-cbc", keyLength: 16 },
  "1.2.840.113549.1.12.1.5": { cipher: "rc2", keyLength: 16 },
  "1.2.840.113549.1.12.1.6": { cipher: "rc2", keyLength: 5 },
};

// Uploaded files choose their own iteration counts; bound them so one upload cannot pin the
// server for minutes. Real files use 2,000–100,000.
const MAX_ITERATIONS = 1_000_000;
const MAX_BAG_NESTING = 8;

/**
 * PBES2 hashes the password as UTF-8 bytes; the PKCS#12 KDF (MAC key, legacy ciphers) as a
 * NUL-terminated BMPString (UTF-16BE). Both forms travel together.
 */
export interface PasswordForms {
  utf8: Buffer;
  bmp: Buffer;
}

function bmpPassword(text: string): Buffer {
  return Buffer.concat([utf16be(text), Buffer.alloc(2)]);
}

/**
 * The ways the same typed password may have been turned into bytes by whoever wrote the file.
 * OpenSSL accepts the same alternatives when it verifies a MAC: an empty password may have been
 * written as "no password" (zero bytes), and OpenSSL before 1.1 widened each UTF-8 byte of a
 * non-ASCII password on its own.
 */
export function passwordCandidates(password: string): PasswordForms[] {
  const utf8 = Buffer.from(password, "utf8");
  const candidates: PasswordForms[] = [{ utf8, bmp: bmpPassword(password) }];
  if (/[^\x00-\x7F]/.test(password)) candidates.push({ utf8, bmp: bmpPassword(utf8.toString("latin1")) });
  if (password === "") candidates.push({ utf8, bmp: Buffer.alloc(0) });
  return candidates;
}

/** RFC 7292 appendix B.2: derives key (id 1), IV (id 2) or MAC key (id 3) material. */
export function pkcs12Kdf(
  hash: HashInfo,
  password: Buffer,
  salt: Buffer,
  id: 1 | 2 | 3,
  iterations: number,
  length: number,
): Buffer {
  const v = hash.blockSize;
  const repeatTo = (source: Buffer, size: number) => {
    const out = Buffer.alloc(size);
    for (let i = 0; i < size; i++) out[i] = source[i % source.length]!;
    return out;
  };
  const fill = (source: Buffer) => (source.length === 0 ? Buffer.alloc(0) : repeatTo(source, v * Math.ceil(source.length / v)));
  const diversifier = Buffer.alloc(v, id);
  const input = Buffer.concat([fill(salt), fill(password)]);
  const blocks: Buffer[] = [];
  let produced = 0;
  while (produced < length) {
    let a = createHash(hash.name).update(diversifier).update(input).digest();
    for (let i = 1; i < iterations; i++) a = createHash(hash.name).update(a).digest();
    blocks.push(a);
    produced += a.length;
    if (produced >= length) break;
    // I_j = (I_j + B + 1) mod 2^(8v) for every v-byte block of I
    const b = repeatTo(a, v);
    for (let j = 0; j < input.length; j += v) {
      let carry = 1;
      for (let k = v - 1; k >= 0; k--) {
        const sum = input[j + k]! + b[k]! + carry;
        input[j + k] = sum & 0xff;
        carry = sum >> 8;
      }
    }
  }
  return Buffer.concat(blocks).subarray(0, length);
}

/** Decryption failed: with a verified MAC that means a damaged file, without one a wrong password. */
class DecryptError extends Error {}

function checkIterations(iterations: number): number {
  if (iterations < 1) throw new Asn1Error("iteration count must be at least 1");
  if (iterations > MAX_ITERATIONS)
    throw new CertificateError(
      "unsupported_pfx",
      `This file asks for more than ${MAX_ITERATIONS.toLocaleString("en")} key-derivation rounds. Export it again with the default settings.`,
    );
  return iterations;
}

function unsupported(algorithm: string): CertificateError {
  return new CertificateError(
    "unsupported_pfx",
    `This file is encrypted with an algorithm this console cannot read (${algorithm}). Export it again with AES-256 (OpenSSL 3 default; in Windows choose 'AES256-SHA256').`,
  );
}

function decipher(name: string, key: Buffer, iv: Buffer, data: Buffer): Buffer {
  try {
    const d = createDecipheriv(name, key, iv);
    return Buffer.concat([d.update(data), d.final()]);
  } catch {
    throw new DecryptError();
  }
}

function rc2Decrypt(key: Buffer, iv: Buffer, data: Buffer): Buffer {
  const cipher = forge.rc2.createDecryptionCipher(key.toString("binary"), key.length * 8);
  cipher.start(iv.toString("binary"));
  cipher.update(forge.util.createBuffer(data.toString("binary")));
  // forge only checks that the pad count fits; strip and verify PKCS#7 padding here.
  if (!cipher.finish(() => true)) throw new DecryptError();
  const out = Buffer.from(cipher.output.getBytes(), "binary");
  const pad = out[out.length - 1] ?? 0;
  if (pad < 1 || pad > 8 || pad > out.length || !out.subarray(out.length - pad).every((b) => b === pad)) throw new DecryptError();
  return out.subarray(0, out.length - pad);
}

function decryptWithAlgorithm(algorithm: Asn1Node | undefined, data: Buffer, password: PasswordForms): Buffer {
  const [oidNode, params] = sequence(algorithm, "AlgorithmIdentifier");
  const oid = oidOf(oidNode);
  if (oid === OID.pbes2) {
    const [kdf, scheme] = sequence(params, "PBES2-params");
    const [kdfOid, kdfParamsNode] = sequence(kdf, "keyDerivationFunc");
    if (oidOf(kdfOid) !== OID.pbkdf2) throw unsupported(`key derivation ${oidOf(kdfOid)}`);
    const [salt, iterations, ...rest] = sequence(kdfParamsNode, "PBKDF2-params");
    const prfNode = rest.find((node) => isUniversal(node, Tag.sequence));
    const prfOid = prfNode ? oidOf(sequence(prfNode, "prf")[0]) : "1.2.840.113549.2.7";
    const prf = PRF_OIDS[prfOid];
    if (!prf) throw unsupported(`PBKDF2 with ${prfOid}`);
    const [cipherOid, iv] = sequence(scheme, "encryptionScheme");
    const cipher = PBES2_CIPHERS[oidOf(cipherOid)];
    if (!cipher) throw unsupported(`cipher ${oidOf(cipherOid)}`);
    const key = pbkdf2Sync(
      password.utf8,
      octetString(salt, "salt"),
      checkIterations(smallIntegerOf(iterations, "iterations")),
      cipher.keyLength,
      prf.name,
    );
    return decipher(cipher.name, key, octetString(iv, "IV"), data);
  }
  const pbe = PKCS12_PBE[oid];
  if (!pbe) throw unsupported(oid === "1.2.840.113549.1.12.1.1" || oid === "1.2.840.113549.1.12.1.2" ? "RC4" : oid);
  const [saltNode, iterationsNode] = sequence(params, "pkcs-12PbeParams");
  const salt = octetString(saltNode, "salt");
  const iterations = checkIterations(smallIntegerOf(iterationsNode, "iterations"));
  const sha1 = HASHES.sha1!;
  const key = pkcs12Kdf(sha1, password.bmp, salt, 1, iterations, pbe.keyLength);
  const iv = pkcs12Kdf(sha1, password.bmp, salt, 2, iterations, 8);
  return pbe.cipher === "rc2" ? rc2Decrypt(key, iv, data) : decipher(pbe.cipher, key, iv, data);
}

/** The password candidate whose MAC key reproduces the file's MAC, or undefined. */
function verifyMac(macData: Asn1Node, authSafe: Buffer, candidates: PasswordForms[]): PasswordForms | undefined {
  const [digestInfo, saltNode, iterationsNode] = sequence(macData, "MacData");
  const [algorithm, digestNode] = sequence(digestInfo, "DigestInfo");
  const digestOid = oidOf(sequence(algorithm, "AlgorithmIdentifier")[0]);
  const hash = DIGEST_OIDS[digestOid];
  if (!hash) throw unsupported(`MAC ${digestOid}`);
  const expected = octetString(digestNode, "MAC");
  const salt = octetString(saltNode, "MAC salt");
  // iterations is DEFAULT 1; some writers omit it
  const iterations = checkIterations(iterationsNode ? smallIntegerOf(iterationsNode, "MAC iterations") : 1);
  return candidates.find((candidate) => {
    const key = pkcs12Kdf(hash, candidate.bmp, salt, 3, iterations, hash.length);
    const actual = createHmac(hash.name, key).update(authSafe).digest();
    return actual.length === expected.length && timingSafeEqual(actual, expected);
  });
}

interface Collected {
  keys: Buffer[];
  certificates: Buffer[];
}

function readSafeContents(bytes: Buffer, password: PasswordForms, out: Collected, depth: number): void {
  if (depth > MAX_BAG_NESTING) throw new Asn1Error("safe contents nested too deep");
  for (const bag of sequence(readFirst(bytes), "SafeContents")) {
    const [bagId, bagValue] = sequence(bag, "SafeBag");
    const type = oidOf(bagId);
    if (type === OID.keyBag) {
      out.keys.push(explicitInner(bagValue, 0, "keyBag").raw);
    } else if (type === OID.pkcs8ShroudedKeyBag) {
      const [algorithm, encrypted] = sequence(explicitInner(bagValue, 0, "pkcs8ShroudedKeyBag"), "EncryptedPrivateKeyInfo");
      const plain = decryptWithAlgorithm(algorithm, octetString(encrypted, "encryptedData"), password);
      // A wrong password can still leave valid padding (about 1 in 256): check the result parses.
      try {
        readSingle(plain);
      } catch {
        throw new DecryptError();
      }
      out.keys.push(plain);
    } else if (type === OID.certBag) {
      const [certId, certValue] = sequence(explicitInner(bagValue, 0, "certBag"), "CertBag");
      // SDSI certificates (the only other kind defined) are of no use here
      if (oidOf(certId) === OID.x509Certificate)
        out.certificates.push(Buffer.from(readFirst(octetString(explicitInner(certValue, 0, "certValue"), "certValue")).raw));
    } else if (type === OID.safeContentsBag) {
      readSafeContents(explicitInner(bagValue, 0, "safeContentsBag").raw, password, out, depth + 1);
    }
    // CRL and secret bags carry nothing needed here
  }
}

function readAuthenticatedSafe(bytes: Buffer, password: PasswordForms): Collected {
  const out: Collected = { keys: [], certificates: [] };
  for (const contentInfo of sequence(readFirst(bytes), "AuthenticatedSafe")) {
    const [contentType, content] = sequence(contentInfo, "ContentInfo");
    const type = oidOf(contentType);
    if (type === OID.data) {
      readSafeContents(octetString(explicitInner(content, 0, "data"), "data"), password, out, 0);
    } else if (type === OID.encryptedData) {
      const [, encryptedContentInfo] = sequence(explicitInner(content, 0, "encryptedData"), "EncryptedData");
      const [, algorithm, encrypted] = sequence(encryptedContentInfo, "EncryptedContentInfo");
      if (!isContext(encrypted, 0)) continue; // encryptedContent is OPTIONAL: nothing to read
      const plain = decryptWithAlgorithm(algorithm, octets(encrypted), password);
      try {
        readSafeContents(plain, password, out, 0);
      } catch (error) {
        // Garbage from a wrong password can still end in valid padding (about 1 in 256).
        if (error instanceof Asn1Error) throw new DecryptError();
        throw error;
      }
    } else {
      throw new CertificateError(
        "unsupported_pfx",
        "Parts of this PFX file are encrypted to a certificate rather than with a password. Export it again protected by a password.",
      );
    }
  }
  return out;
}

export interface PfxContents {
  /** Every private key found, in file order (PKCS#8 DER, decrypted). */
  privateKeys: KeyObject[];
  /** Every certificate, in file order, with its DER bytes exactly as stored. */
  certificates: Buffer[];
}

/**
 * Opens a PKCS#12 file. Throws CertificateError: bad_pfx, unsupported_pfx, wrong_password, bad_key.
 */
export function readPfx(pfx: Buffer, password: string): PfxContents {
  let macVerified = false;
  let collected: Collected | undefined;
  try {
    const [versionNode, authSafe, macData] = sequence(readFirst(pfx), "PFX");
    if (smallIntegerOf(versionNode, "version") !== 3) throw new Asn1Error("PFX version is not 3");
    const [contentType, content] = sequence(authSafe, "ContentInfo");
    const type = oidOf(contentType);
    if (type === OID.signedData)
      throw new CertificateError(
        "unsupported_pfx",
        "This PFX file is protected by a signature instead of a password. Export it again protected by a password.",
      );
    if (type !== OID.data) throw new Asn1Error("authSafe is not data");
    const authSafeBytes = octetString(explicitInner(content, 0, "authSafe"), "authSafe");
    let candidates = passwordCandidates(password);
    if (macData) {
      const match = verifyMac(macData, authSafeBytes, candidates);
      if (!match)
        throw new CertificateError(
          "wrong_password",
          "The password is not correct for this PFX file. Check it (it is case-sensitive) and try again.",
        );
      candidates = [match];
      macVerified = true;
    }
    // Without a MAC only decryption can tell which password form (if any) is right.
    for (const candidate of candidates) {
      try {
        collected = readAuthenticatedSafe(authSafeBytes, candidate);
        break;
      } catch (error) {
        if (!(error instanceof DecryptError)) throw error;
      }
    }
  } catch (error) {
    if (error instanceof CertificateError) throw error;
    throw new CertificateError("bad_pfx", undefined, { cause: error });
  }
  if (!collected) {
    if (macVerified)
      throw new CertificateError("bad_pfx", "The PFX file is damaged: its contents cannot be decrypted. Export it again.");
    throw new CertificateError(
      "wrong_password",
      "The password is not correct for this PFX file. Check it (it is case-sensitive) and try again.",
    );
  }
  const privateKeys: KeyObject[] = [];
  let unreadable: unknown;
  for (const key of collected.keys) {
    try {
      privateKeys.push(createPrivateKey({ key, format: "der", type: "pkcs8" }));
    } catch (error) {
      unreadable = error;
    }
  }
  if (privateKeys.length === 0 && unreadable !== undefined)
    throw new CertificateError("bad_key", "The private key in this PFX file uses a type or format this console cannot read.", {
      cause: unreadable,
    });
  return { privateKeys, certificates: collected.certificates };
}

// ---- writing --------------------------------------------------------------------------------

export interface Pbes2Options {
  iterations: number;
}

/**
 * PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC: the scheme OpenSSL 3 uses by default, readable by
 * OpenSSL 1.1+, Java 8u301+, .NET and Windows 10 1709+/Server 2019.
 */
export function pbes2Encrypt(
  plain: Buffer,
  password: string,
  { iterations }: Pbes2Options,
): { algorithm: Buffer; encrypted: Buffer } {
  const salt = randomBytes(16);
  const iv = randomBytes(16);
  const key = pbkdf2Sync(Buffer.from(password, "utf8"), salt, iterations, 32, "sha256");
  const cipher = createCipheriv("aes-256-cbc", key, iv);
  const encrypted = Buffer.concat([cipher.update(plain), cipher.final()]);
  const algorithm = der.sequence(
    der.oid(OID.pbes2),
    der.sequence(
      der.sequence(
        der.oid(OID.pbkdf2),
        der.sequence(der.octetString(salt), der.integer(iterations), der.sequence(der.oid(OID.hmacWithSha256), der.null())),
      ),
      der.sequence(der.oid(OID.aes256Cbc), der.octetString(iv)),
    ),
  );
  return { algorithm, encrypted };
}

/** EncryptedPrivateKeyInfo (RFC 5958) around a PKCS#8 PrivateKeyInfo. */
export function encryptPrivateKeyInfo(privateKeyInfo: Buffer, password: string, options: Pbes2Options): Buffer {
  const { algorithm, encrypted } = pbes2Encrypt(privateKeyInfo, password, options);
  return der.sequence(algorithm, der.octetString(encrypted));
}

export interface PfxWriteInput {
  certificateDer: Buffer;
  chainDers?: Buffer[];
  privateKey: KeyObject;
  password: string;
  friendlyName?: string;
  iterations: number;
}

function attribute(oid: string, value: Buffer): Buffer {
  return der.sequence(der.oid(oid), der.set(value));
}

function certBag(certificateDer: Buffer, attributes?: Buffer): Buffer {
  const value = der.sequence(der.oid(OID.x509Certificate), der.explicit(0, der.octetString(certificateDer)));
  return der.sequence(der.oid(OID.certBag), der.explicit(0, value), ...(attributes ? [attributes] : []));
}

/**
 * Writes a PFX laid out like OpenSSL 3's: certificates in a PBES2/AES-256 encrypted safe, the key in
 * a shrouded key bag (PBES2/AES-256), an HMAC-SHA-256 integrity MAC. Key and leaf certificate share a
 * localKeyId (SHA-1 of the certificate), which is how Windows and Java pair them up.
 */
export function writePfx(input: PfxWriteInput): Buffer {
  const { password, iterations } = input;
  const localKeyId = createHash("sha1").update(input.certificateDer).digest();
  const leafAttributes = der.set(
    attribute(OID.localKeyId, der.octetString(localKeyId)),
    ...(input.friendlyName ? [attribute(OID.friendlyName, der.bmpString(input.friendlyName))] : []),
  );

  const certificates = der.sequence(
    certBag(input.certificateDer, leafAttributes),
    ...(input.chainDers ?? []).map((chain) => certBag(chain)),
  );
  const encryptedCertificates = pbes2Encrypt(certificates, password, { iterations });
  const certificatesInfo = der.sequence(
    der.oid(OID.encryptedData),
    der.explicit(
      0,
      der.sequence(
        der.integer(0),
        der.sequence(der.oid(OID.data), encryptedCertificates.algorithm, der.implicitOctets(0, encryptedCertificates.encrypted)),
      ),
    ),
  );

  const privateKeyInfo = input.privateKey.export({ type: "pkcs8", format: "der" });
  const shroudedKey = der.sequence(
    der.oid(OID.pkcs8ShroudedKeyBag),
    der.explicit(0, encryptPrivateKeyInfo(privateKeyInfo, password, { iterations })),
    leafAttributes,
  );
  const keyInfo = der.sequence(der.oid(OID.data), der.explicit(0, der.octetString(der.sequence(shroudedKey))));

  const authSafe = der.sequence(certificatesInfo, keyInfo);
  const macSalt = randomBytes(16);
  const sha256 = HASHES.sha256!;
  const macKey = pkcs12Kdf(sha256, bmpPassword(password), macSalt, 3, iterations, sha256.length);
  const mac = createHmac("sha256", macKey).update(authSafe).digest();
  const macData = der.sequence(
    der.sequence(der.sequence(der.oid(OID.sha256), der.null()), der.octetString(mac)),
    der.octetString(macSalt),
    der.integer(iterations),
  );
  return der.sequence(der.integer(3), der.sequence(der.oid(OID.data), der.explicit(0, der.octetString(authSafe))), macData);
}
