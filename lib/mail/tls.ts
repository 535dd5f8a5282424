import "server-only";
import net from "node:net";
import tls from "node:tls";

/**
 * TLS settings for a mail connection. The caller decides trust (lib/net/trust.ts builds the CA
 * list from the system store, NODE_EXTRA_CA_CERTS and the profile's own CAs); this module only
 * passes them on and reports what was negotiated.
 */
export interface MailTlsOptions {
  /** trusted CA certificates (PEM); when omitted Node's default store is used */
  ca?: string | string[];
  /** SNI and the name the certificate must match; defaults to the host unless it is an IP literal */
  servername?: string;
  /** default true; false accepts any certificate (the result still says why it would have failed) */
  rejectUnauthorized?: boolean;
  checkServerIdentity?: (hostname: string, cert: tls.PeerCertificate) => Error | undefined;
  minVersion?: tls.SecureVersion;
  maxVersion?: tls.SecureVersion;
  /**
   * A prepared context (CAs and TLS versions in it) instead of `ca`/`minVersion`/`maxVersion`:
   * parsing the system store into a context costs ~50 ms of CPU, so callers that connect often
   * build it once.
   */
  secureContext?: tls.SecureContext;
}

export interface CertificateSummary {
  subject: string;
  issuer: string;
  subjectAltName: string | null;
  validFrom: string;
  validTo: string;
  serialNumber: string;
  fingerprint256: string;
  pem: string;
}

export interface TlsSessionInfo {
  /** "TLSv1.3", … */
  protocol: string | null;
  cipher: string;
  /** did the certificate pass the CA and host-name checks */
  authorized: boolean;
  /** Node's verification code when it did not (CERT_HAS_EXPIRED, ERR_TLS_CERT_ALTNAME_INVALID, …) */
  authorizationError: string | null;
  peerCertificate: CertificateSummary | null;
  /** the certificates the chain was built from, leaf first */
  chain: CertificateSummary[];
}

function distinguishedName(name: Record<string, string | string[]> | undefined): string {
  if (!name) return "";
  return Object.entries(name)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join("+") : value}`)
    .join(", ");
}

function summarize(cert: tls.PeerCertificate): CertificateSummary {
  const base64 = cert.raw.toString("base64");
  return {
    subject: distinguishedName(cert.subject as unknown as Record<string, string | string[]>),
    issuer: distinguishedName(cert.issuer as unknown as Record<string, string | string[]>),
    subjectAltName: cert.subjectaltname ?? null,
    validFrom: cert.valid_from,
    validTo: cert.valid_to,
    serialNumber: cert.serialNumber,
    fingerprint256: cert.fingerprint256,
    pem: `-----BEGIN CERTIFICATE-----\n${base64.match(/.{1,64}/g)!.join("\n")}\n-----END CERTIFICATE-----\n`,
  };
}

/** The certificate and the issuers Node linked to it (getPeerCertificate(true)), leaf first. */
export function summarizeChain(
  leaf: tls.PeerCertificate | tls.DetailedPeerCertificate | Record<string, never> | undefined,
): CertificateSummary[] {
  const chain: CertificateSummary[] = [];
  // A self-signed root points at itself as its issuer, so stop on repeats.
  const seen = new Set<string>();
  let current = leaf && "raw" in leaf && leaf.raw ? (leaf as tls.DetailedPeerCertificate) : undefined;
  while (current && current.raw && !seen.has(current.fingerprint256) && chain.length < 10) {
    seen.add(current.fingerprint256);
    chain.push(summarize(current));
    current = current.issuerCertificate;
  }
  return chain;
}

export function describeTlsSocket(socket: tls.TLSSocket): TlsSessionInfo {
  const cipher = socket.getCipher();
  const chain = summarizeChain(socket.getPeerCertificate(true));
  const error = socket.authorizationError as unknown as Error | string | null | undefined;
  return {
    protocol: socket.getProtocol(),
    cipher: cipher?.standardName ?? cipher?.name ?? "",
    authorized: socket.authorized,
    authorizationError: error
      ? typeof error === "string"
        ? error
        : ((error as NodeJS.ErrnoException).code ?? error.message)
      : null,
    peerCertificate: chain[0] ?? null,
    chain,
  };
}

/** Node connection options for a mail server; `rejectUnauthorized` is applied by the caller, see verifyTlsSocket. */
export function tlsConnectOptions(host: string, options: MailTlsOptions = {}): tls.ConnectionOptions {
  const servername = options.servername ?? (net.isIP(host) ? undefined : host);
  const result: tls.ConnectionOptions = { host };
  // Only set what was given: tls.connect() spreads options over its defaults, and an explicit
  // `undefined` (checkServerIdentity above all) would replace a default instead of keeping it.
  if (servername !== undefined) result.servername = servername;
  if (options.ca !== undefined) result.ca = options.ca;
  if (options.checkServerIdentity !== undefined) result.checkServerIdentity = options.checkServerIdentity;
  if (options.minVersion !== undefined) result.minVersion = options.minVersion;
  if (options.maxVersion !== undefined) result.maxVersion = options.maxVersion;
  if (options.secureContext !== undefined) result.secureContext = options.secureContext;
  return result;
}

/**
 * Why a certificate was rejected, or null when it is acceptable. Node records both CA failures
 * and host-name mismatches in `authorizationError`; the mismatch text is recomputed because
 * Node keeps only its code when `rejectUnauthorized` is false.
 */
export function certificateProblem(
  socket: tls.TLSSocket,
  host: string,
  options: MailTlsOptions = {},
): { code: string; message: string } | null {
  if (socket.authorized) return null;
  const raw = socket.authorizationError as unknown as Error | string | null | undefined;
  const code = raw
    ? typeof raw === "string"
      ? raw
      : ((raw as NodeJS.ErrnoException).code ?? raw.message)
    : "UNKNOWN_CERT_ERROR";
  let message = `The server certificate was rejected (${code})`;
  if (code === "ERR_TLS_CERT_ALTNAME_INVALID") {
    const cert = socket.getPeerCertificate();
    const check = options.checkServerIdentity ?? tls.checkServerIdentity;
    const identityError = cert && "raw" in cert ? check(options.servername ?? host, cert) : undefined;
    // Node's text for an IP host lists only the certificate's IP entries ("... not in the cert's
    // list: "), so name what the certificate is actually for.
    const names = cert && "raw" in cert ? (cert.subjectaltname ?? `CN=${cert.subject?.CN ?? "?"}`) : undefined;
    if (identityError)
      message = `The server certificate was rejected: ${identityError.message.replace(/:\s*$/, "")}${names ? ` (the certificate is for ${names})` : ""}`;
  }
  return { code, message };
}

// OpenSSL certificate-verification results as Node reports them, plus its TLS/SSL error families.
const CERTIFICATE_CODES = new Set([
  "CERT_HAS_EXPIRED",
  "CERT_NOT_YET_VALID",
  "CERT_REVOKED",
  "CERT_UNTRUSTED",
  "CERT_REJECTED",
  "CERT_SIGNATURE_FAILURE",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "UNABLE_TO_DECRYPT_CERT_SIGNATURE",
  "UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY",
  "INVALID_CA",
  "INVALID_PURPOSE",
  "PATH_LENGTH_EXCEEDED",
  "HOSTNAME_MISMATCH",
  "ERROR_IN_CERT_NOT_BEFORE_FIELD",
  "ERROR_IN_CERT_NOT_AFTER_FIELD",
]);

export function isTlsErrorCode(code: string | undefined): boolean {
  if (!code) return false;
  return CERTIFICATE_CODES.has(code) || code.startsWith("ERR_TLS_") || code.startsWith("ERR_SSL_") || code === "EPROTO";
}

const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EADDRNOTAVAIL",
]);

export function isNetworkErrorCode(code: string | undefined): boolean {
  return !!code && NETWORK_CODES.has(code);
}
