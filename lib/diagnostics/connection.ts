import "server-only";
/**
 * DNS, TCP and TLS for the Test, done here rather than inside imapflow or the POP3 client so that
 * each is timed and explained on its own, on the ONE connection the mail session then runs over
 * (handed to imapflow through its transport option, and to Pop3Client as `socket`).
 *
 * TLS is negotiated with verification deferred (rejectUnauthorized: false) so that a rejected
 * certificate can still be described; the verdict is taken right after the handshake and before a
 * single byte of the session is read or written, so no credential ever reaches an unverified server.
 */
import crypto from "node:crypto";
import net from "node:net";
import tls from "node:tls";
import { isBlockedAddress, resolveChecked, testTargetRefusal } from "@/lib/net/outbound-guard";
import type { TlsPolicy } from "@/lib/diagnostics/settings";

/** When the deciding socket or resolver event fired (performance.now()), for an exact step time. */
export type Timed<T> = T & { endedAt: number };
const stamp = <T extends object>(outcome: T): Timed<T> => ({ ...outcome, endedAt: performance.now() });

// ---- DNS ---------------------------------------------------------------------------------------

export type DnsOutcome =
  { ok: true; addresses: string[]; blocked: string[]; literal: boolean } | { ok: false; code: string; blocked?: string[] };

export function lookupHost(host: string, timeoutMs: number, signal: AbortSignal): Promise<Timed<DnsOutcome>> {
  if (testTargetRefusal(host)) return Promise.resolve(stamp<DnsOutcome>({ ok: false, code: "MCF_HOST_NOT_ALLOWED" }));
  if (net.isIP(host)) {
    return Promise.resolve(
      stamp<DnsOutcome>(
        isBlockedAddress(host)
          ? { ok: false, code: "MCF_BLOCKED_ADDRESS", blocked: [host] }
          : { ok: true, addresses: [host], blocked: [], literal: true },
      ),
    );
  }
  return new Promise((resolve) => {
    let settled = false;
    const finish = (outcome: DnsOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      resolve(stamp(outcome));
    };
    // getaddrinfo cannot be cancelled: on timeout or abort its late answer is simply ignored.
    const timer = setTimeout(() => finish({ ok: false, code: "MCF_TIMEOUT" }), timeoutMs);
    const onAbort = () => finish({ ok: false, code: "MCF_CANCELLED" });
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    // Every answer is judged here, and connectTcp() connects to these addresses, never to the name
    // again: a second lookup (DNS rebinding) cannot swap in an address that was not checked.
    resolveChecked(host, {}, (error, checked) => {
      if (error) return finish({ ok: false, code: error.code ?? "EUNKNOWN" });
      const addresses = checked.allowed.map((a) => a.address);
      const blocked = checked.blocked.map((a) => a.address);
      if (!addresses.length) return finish({ ok: false, code: blocked.length ? "MCF_BLOCKED_ADDRESS" : "ENOTFOUND", blocked });
      finish({ ok: true, addresses, blocked, literal: false });
    });
  });
}

// ---- TCP ---------------------------------------------------------------------------------------

export interface TcpAttempt {
  address: string;
  code?: string;
}

export type TcpOutcome =
  { ok: true; socket: net.Socket; address: string; attempts: TcpAttempt[] } | { ok: false; code: string; attempts: TcpAttempt[] };

/**
 * Connects to the addresses in turn (a host name often has an IPv6 and an IPv4 address and a server
 * may listen on one only), all within one `timeoutMs`. The winning socket is returned paused:
 * whatever the server sends first stays buffered for the protocol client.
 */
export function connectTcp(
  addresses: string[],
  port: number,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<Timed<TcpOutcome>> {
  const attempts: TcpAttempt[] = [];
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve) => {
    let socket: net.Socket | null = null;
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (outcome: TcpOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal.removeEventListener("abort", onAbort);
      if (!outcome.ok) socket?.destroy();
      resolve(stamp(outcome));
    };
    const onAbort = () => finish({ ok: false, code: "MCF_CANCELLED", attempts });
    const tryNext = (index: number) => {
      const address = addresses[index];
      if (address === undefined) return finish({ ok: false, code: attempts.at(-1)?.code ?? "ECONNREFUSED", attempts });
      const attempt: TcpAttempt = { address };
      attempts.push(attempt);
      const current = net.connect({ host: address, port });
      socket = current;
      current.setNoDelay(true);
      clearTimeout(timer);
      timer = setTimeout(
        () => {
          attempt.code = "MCF_TIMEOUT";
          finish({ ok: false, code: "MCF_TIMEOUT", attempts });
        },
        Math.max(0, deadline - Date.now()),
      );
      current.once("connect", () => {
        current.removeAllListeners("error");
        // A reset arriving before the protocol client attaches its handlers must not crash the process.
        current.on("error", () => undefined);
        finish({ ok: true, socket: current, address, attempts });
      });
      current.once("error", (error: NodeJS.ErrnoException) => {
        attempt.code = error.code ?? "EUNKNOWN";
        current.destroy();
        if (!settled) tryNext(index + 1);
      });
    };
    if (signal.aborted) return onAbort();
    signal.addEventListener("abort", onAbort, { once: true });
    tryNext(0);
  });
}

// ---- TLS ---------------------------------------------------------------------------------------

const contexts = new Map<string, tls.SecureContext>();

/**
 * Parsing the system store into a context costs ~50 ms of CPU, which would sit on the critical
 * path of every Test; profiles share a handful of CA lists, so contexts are kept per list and
 * TLS range (a small map, oldest dropped first).
 */
export function secureContextFor(ca: string[], minVersion: tls.SecureVersion, maxVersion: tls.SecureVersion): tls.SecureContext {
  const key = crypto
    .createHash("sha256")
    .update(`${minVersion} ${maxVersion}\n${ca.join("\n")}`)
    .digest("base64url");
  let context = contexts.get(key);
  if (!context) {
    context = tls.createSecureContext({ ca, minVersion, maxVersion });
    contexts.set(key, context);
    if (contexts.size > 16) contexts.delete(contexts.keys().next().value!);
  }
  return context;
}

export interface CertificateInfo {
  subject: string;
  issuer: string;
  validFrom: string;
  validTo: string;
  altNames?: string;
  fingerprint256: string;
  selfSigned: boolean;
}

export interface TlsDetails {
  protocol: string;
  cipher: string;
  certificate?: CertificateInfo;
}

export type TlsProblem =
  | "expired"
  | "not_yet_valid"
  | "self_signed"
  | "untrusted"
  | "wrong_host"
  | "host_not_trusted"
  | "not_tls"
  | "protocol_version"
  | "handshake"
  | "closed"
  | "timeout"
  | "cancelled";

export interface CertificateVerdict {
  /** OpenSSL's verdict on the chain (CERT_HAS_EXPIRED, UNABLE_TO_VERIFY_LEAF_SIGNATURE, …); undefined = trusted */
  chainError?: string;
  /** why the certificate does not name the server; undefined = it does */
  hostError?: string;
  /** problems accepted because a property relaxed the check (ssl.trust, ssl.checkserveridentity) */
  relaxed: string[];
  /** the problem that makes the connection unacceptable */
  problem?: TlsProblem;
}

export type TlsOutcome =
  | { ok: true; socket: tls.TLSSocket; details: TlsDetails; verdict: CertificateVerdict }
  | { ok: false; problem: TlsProblem; code?: string; details?: TlsDetails; verdict?: CertificateVerdict };

export interface TlsTarget {
  host: string;
  port: number;
  policy: TlsPolicy;
  context: tls.SecureContext;
  timeoutMs: number;
  signal: AbortSignal;
}

const NOT_TLS = new Set([
  "ERR_SSL_WRONG_VERSION_NUMBER",
  "ERR_SSL_PACKET_LENGTH_TOO_LONG",
  "ERR_SSL_HTTP_REQUEST",
  "ERR_SSL_UNKNOWN_PROTOCOL",
  "ERR_SSL_RECORD_LAYER_FAILURE",
]);
const VERSION = new Set([
  "ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION",
  "ERR_SSL_UNSUPPORTED_PROTOCOL",
  "ERR_SSL_NO_PROTOCOLS_AVAILABLE",
  "ERR_SSL_TLSV1_ALERT_INSUFFICIENT_SECURITY",
]);

function distinguishedName(name: tls.Certificate | undefined): string {
  if (!name) return "";
  return Object.entries(name as unknown as Record<string, string | string[]>)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join("+") : value}`)
    .join(", ");
}

function certificateInfo(cert: tls.DetailedPeerCertificate): CertificateInfo | undefined {
  if (!cert || !cert.raw) return undefined;
  const subject = distinguishedName(cert.subject);
  return {
    subject,
    issuer: distinguishedName(cert.issuer),
    validFrom: new Date(cert.valid_from).toISOString(),
    validTo: new Date(cert.valid_to).toISOString(),
    ...(cert.subjectaltname ? { altNames: cert.subjectaltname } : {}),
    fingerprint256: cert.fingerprint256,
    selfSigned:
      subject === distinguishedName(cert.issuer) &&
      (!cert.issuerCertificate || cert.issuerCertificate.fingerprint256 === cert.fingerprint256),
  };
}

function chainProblem(code: string): TlsProblem {
  if (code === "CERT_HAS_EXPIRED") return "expired";
  if (code === "CERT_NOT_YET_VALID") return "not_yet_valid";
  if (code === "DEPTH_ZERO_SELF_SIGNED_CERT") return "self_signed";
  return "untrusted";
}

/** The certificate checks, applied the way the profile's JavaMail properties say (see TlsPolicy). */
function judge(socket: tls.TLSSocket, host: string, policy: TlsPolicy): CertificateVerdict {
  const raw = socket.authorizationError as unknown as Error | string | null | undefined;
  const chainError = socket.authorized
    ? undefined
    : raw
      ? typeof raw === "string"
        ? raw
        : ((raw as NodeJS.ErrnoException).code ?? raw.message)
      : "UNABLE_TO_VERIFY_LEAF_SIGNATURE";
  const cert = socket.getPeerCertificate(true);
  const identity = cert && cert.raw ? tls.checkServerIdentity(host, cert) : new Error("The server sent no certificate");
  const hostError = identity ? identity.message.replace(/:\s*$/, "") : undefined;
  const verdict: CertificateVerdict = { ...(chainError ? { chainError } : {}), ...(hostError ? { hostError } : {}), relaxed: [] };

  const listed = Array.isArray(policy.trust) ? policy.trust.includes(host.toLowerCase()) : false;
  if (Array.isArray(policy.trust) && !listed) verdict.problem = "host_not_trusted";
  else if (chainError && policy.trust === "default") verdict.problem = chainProblem(chainError);
  else if (chainError) verdict.relaxed.push(`certificate chain not trusted (${chainError}), accepted because of ssl.trust`);
  if (!verdict.problem && hostError) {
    if (policy.checkServerIdentity) verdict.problem = "wrong_host";
    else verdict.relaxed.push("certificate issued for another host, accepted because ssl.checkserveridentity=false");
  }
  return verdict;
}

/**
 * Starts TLS over a connected socket (implicit TLS right after TCP, or after STARTTLS/STLS). The
 * TLS socket is returned at once (imapflow's upgrade() needs it synchronously); `done` settles once
 * the handshake is over and the certificate judged. On any failure the TLS socket is destroyed
 * (with the error, so a reader such as imapflow sees it) and, for implicit TLS, the TCP socket too.
 */
export function startTls(socket: net.Socket, target: TlsTarget): { tlsSocket: tls.TLSSocket; done: Promise<Timed<TlsOutcome>> } {
  const servername = net.isIP(target.host) ? undefined : target.host;
  const tlsSocket = tls.connect({
    socket,
    host: target.host,
    port: target.port,
    ...(servername ? { servername } : {}),
    secureContext: target.context,
    // Verification is deferred to judge(), which sees both chain and host-name results.
    rejectUnauthorized: false,
    checkServerIdentity: () => undefined,
  });
  const done = new Promise<Timed<TlsOutcome>>((resolve) => {
    let settled = false;
    let details: TlsDetails | undefined;
    const finish = (outcome: TlsOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      target.signal.removeEventListener("abort", onAbort);
      tlsSocket.removeListener("error", onError);
      tlsSocket.removeListener("close", onClose);
      if (!outcome.ok) {
        const error = Object.assign(new Error(`TLS failed (${outcome.problem}${outcome.code ? `, ${outcome.code}` : ""})`), {
          code: outcome.code ?? `MCF_TLS_${outcome.problem.toUpperCase()}`,
        });
        tlsSocket.on("error", () => undefined);
        tlsSocket.destroy(error);
        socket.destroy();
      } else {
        // From here on the protocol client owns error handling; until it attaches, errors are ignored.
        tlsSocket.on("error", () => undefined);
      }
      resolve(stamp(outcome));
    };
    const onError = (error: NodeJS.ErrnoException) => {
      const code = error.code ?? "EUNKNOWN";
      const problem: TlsProblem = NOT_TLS.has(code)
        ? "not_tls"
        : VERSION.has(code)
          ? "protocol_version"
          : code === "ECONNRESET" || code === "EPIPE"
            ? "closed"
            : "handshake";
      finish({ ok: false, problem, code, ...(details ? { details } : {}) });
    };
    const onClose = () => finish({ ok: false, problem: "closed" });
    const onAbort = () => finish({ ok: false, problem: "cancelled" });
    const timer = setTimeout(() => finish({ ok: false, problem: "timeout" }), target.timeoutMs);
    tlsSocket.once("error", onError);
    tlsSocket.once("close", onClose);
    if (target.signal.aborted) onAbort();
    else target.signal.addEventListener("abort", onAbort, { once: true });
    tlsSocket.once("secureConnect", () => {
      const cipher = tlsSocket.getCipher();
      const certificate = certificateInfo(tlsSocket.getPeerCertificate(true));
      details = {
        protocol: tlsSocket.getProtocol() ?? "unknown",
        cipher: cipher?.standardName ?? cipher?.name ?? "",
        ...(certificate ? { certificate } : {}),
      };
      const verdict = judge(tlsSocket, target.host, target.policy);
      if (verdict.problem) finish({ ok: false, problem: verdict.problem, code: verdict.chainError, details, verdict });
      else finish({ ok: true, socket: tlsSocket, details, verdict });
    });
  });
  return { tlsSocket, done };
}
