import "server-only";
/**
 * The client assertion for Method 2 (docs/MICROSOFT.md#client-assertion): a JWT signed with the certificate's private key
 * that Entra verifies with the certificate uploaded to the app registration.
 *
 * Invariant: the token request builds a NEW assertion for every request (new jti, nbf = iat = now,
 * exp = now + lifetime). Microsoft documents no replay cache, but jti must be unique and a fresh
 * short-lived assertion is cheap, never trips a replay check, and never fails on a stale clock window.
 */
import crypto from "node:crypto";
import { SignJWT } from "jose";

export type AssertionAlgorithm = "PS256" | "RS256";

export const ASSERTION_LIFETIME = { min: 60, max: 600, default: 300 } as const;

export interface ClientAssertionInput {
  clientId: string;
  /** The exact resolved token URL the assertion is sent to (Entra compares it with `aud`). */
  audience: string;
  certificatePem: string;
  privateKeyPem: string;
  passphrase?: string;
  /** PS256 + x5t#S256 is Microsoft's current format; RS256 + x5t is the legacy pair MSAL still supports. */
  algorithm?: AssertionAlgorithm;
  lifetimeSeconds?: number;
  now?: Date;
}

export interface CertificateThumbprints {
  /** SHA-1 of the DER certificate, upper-case hex as the Entra portal shows it */
  sha1Hex: string;
  sha256Hex: string;
  /** base64url(SHA-1(DER)): the legacy `x5t` header */
  x5t: string;
  /** base64url(SHA-256(DER)): the `x5t#S256` header */
  x5tS256: string;
}

export interface ClientAssertionHeader {
  alg: AssertionAlgorithm;
  typ: "JWT";
  x5t?: string;
  "x5t#S256"?: string;
}

export interface ClientAssertionClaims {
  aud: string;
  iss: string;
  sub: string;
  jti: string;
  nbf: number;
  iat: number;
  exp: number;
}

export type ClientAssertionFailureCode =
  | "client_id_missing"
  | "audience_invalid"
  | "lifetime_out_of_range"
  | "certificate_invalid"
  | "private_key_invalid"
  | "passphrase_required"
  | "passphrase_wrong"
  | "key_not_rsa"
  | "key_too_short"
  | "key_mismatch";

export type ClientAssertionResult =
  | {
      ok: true;
      assertion: string;
      header: ClientAssertionHeader;
      claims: ClientAssertionClaims;
      thumbprints: CertificateThumbprints;
    }
  | { ok: false; code: ClientAssertionFailureCode; message: string };

/** Hex thumbprint as the portal or openssl prints it (any case, colons or spaces) → base64url. */
export function x5tFromHexThumbprint(hex: string): string {
  return Buffer.from(hex.replace(/[\s:]/g, ""), "hex").toString("base64url");
}

/** First certificate of a PEM text, parsed; undefined when there is none or it does not parse. */
export function parseCertificate(pem: string): crypto.X509Certificate | undefined {
  const block = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(pem)?.[0];
  if (!block) return undefined;
  try {
    return new crypto.X509Certificate(block);
  } catch {
    return undefined;
  }
}

/**
 * Computed here from the DER bytes rather than shared with lib/certs, so the token engine does not
 * depend on the certificate screens; both follow docs/MICROSOFT.md#thumbprints and the tests pin Microsoft's example.
 */
export function certificateThumbprints(cert: crypto.X509Certificate): CertificateThumbprints {
  const sha1 = crypto.createHash("sha1").update(cert.raw).digest();
  const sha256 = crypto.createHash("sha256").update(cert.raw).digest();
  return {
    sha1Hex: sha1.toString("hex").toUpperCase(),
    sha256Hex: sha256.toString("hex").toUpperCase(),
    x5t: sha1.toString("base64url"),
    x5tS256: sha256.toString("base64url"),
  };
}

type KeyLoad = { ok: true; key: crypto.KeyObject } | { ok: false; code: ClientAssertionFailureCode; message: string };

/** PKCS#8 or PKCS#1 PEM, encrypted or not; encrypted keys are opened with the passphrase. */
export function loadPrivateKey(privateKeyPem: string, passphrase?: string): KeyLoad {
  const encrypted = /-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type:\s*4,ENCRYPTED/.test(privateKeyPem);
  if (encrypted && !passphrase) {
    return { ok: false, code: "passphrase_required", message: "The private key is encrypted: enter its passphrase" };
  }
  try {
    const key = crypto.createPrivateKey(passphrase ? { key: privateKeyPem, passphrase } : { key: privateKeyPem });
    return { ok: true, key };
  } catch {
    // The OpenSSL message is not shown: it says nothing an admin can act on.
    if (encrypted) return { ok: false, code: "passphrase_wrong", message: "The passphrase does not open the private key" };
    return {
      ok: false,
      code: "private_key_invalid",
      message: "The private key could not be read: paste a PEM private key (-----BEGIN PRIVATE KEY----- …)",
    };
  }
}

export async function buildClientAssertion(input: ClientAssertionInput): Promise<ClientAssertionResult> {
  const algorithm = input.algorithm ?? "PS256";
  const lifetime = input.lifetimeSeconds ?? ASSERTION_LIFETIME.default;
  const clientId = input.clientId.trim();
  if (!clientId)
    return {
      ok: false,
      code: "client_id_missing",
      message: "Enter the Application (client) ID: it is the assertion's issuer and subject",
    };
  try {
    const url = new URL(input.audience);
    if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error("not http");
  } catch {
    return { ok: false, code: "audience_invalid", message: "The assertion's audience must be the full token URL" };
  }
  if (!Number.isInteger(lifetime) || lifetime < ASSERTION_LIFETIME.min || lifetime > ASSERTION_LIFETIME.max) {
    return {
      ok: false,
      code: "lifetime_out_of_range",
      message: `The assertion lifetime must be ${ASSERTION_LIFETIME.min} to ${ASSERTION_LIFETIME.max} seconds`,
    };
  }
  const cert = parseCertificate(input.certificatePem);
  if (!cert)
    return {
      ok: false,
      code: "certificate_invalid",
      message: "The certificate could not be read: paste a PEM certificate (-----BEGIN CERTIFICATE----- …)",
    };
  const loaded = loadPrivateKey(input.privateKeyPem, input.passphrase);
  if (!loaded.ok) return loaded;
  const key = loaded.key;
  // Entra only accepts RSA keys for certificate credentials, at least 2048 bits (docs/MICROSOFT.md#certificates, AADSTS50032).
  if (key.asymmetricKeyType !== "rsa" && key.asymmetricKeyType !== "rsa-pss") {
    return {
      ok: false,
      code: "key_not_rsa",
      message: `Entra accepts only RSA keys for certificate credentials; this key is ${key.asymmetricKeyType ?? "of another type"}`,
    };
  }
  const bits = key.asymmetricKeyDetails?.modulusLength ?? 0;
  if (bits < 2048)
    return { ok: false, code: "key_too_short", message: `The RSA key has ${bits} bits; Entra needs at least 2048` };
  if (!cert.checkPrivateKey(key)) {
    return {
      ok: false,
      code: "key_mismatch",
      message: "The private key does not belong to this certificate: paste the key that was generated with it",
    };
  }

  const thumbprints = certificateThumbprints(cert);
  const header: ClientAssertionHeader =
    algorithm === "PS256"
      ? { alg: "PS256", typ: "JWT", "x5t#S256": thumbprints.x5tS256 }
      : { alg: "RS256", typ: "JWT", x5t: thumbprints.x5t };
  const now = Math.floor((input.now ?? new Date()).getTime() / 1000);
  const claims: ClientAssertionClaims = {
    aud: input.audience,
    iss: clientId,
    sub: clientId,
    jti: crypto.randomUUID(),
    nbf: now,
    iat: now,
    exp: now + lifetime,
  };
  const assertion = await new SignJWT({ ...claims }).setProtectedHeader({ ...header }).sign(key);
  return { ok: true, assertion, header, claims, thumbprints };
}
