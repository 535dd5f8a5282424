import "server-only";
/**
 * One HTTPS form POST with the properties the token step needs and global fetch does not give:
 * an explicit CA list (system + NODE_EXTRA_CA_CERTS + the profile's CAs), one deadline for
 * connect + answer, a body size limit, and failures told apart by the phase they happened in
 * (DNS, TCP connect, TLS handshake, waiting for the answer). Never throws.
 *
 * Invariant: certificate verification stays on (rejectUnauthorized), so the request body (which
 * carries the secret or the assertion) is only ever written to a verified server. To explain a TLS
 * failure, a separate probe handshake that sends no data reads the server's certificate afterwards.
 */
import crypto from "node:crypto";
import http from "node:http";
import https from "node:https";
import net from "node:net";
import tls from "node:tls";
import { guardedLookup, isBlockedAddress, testTargetRefusal, type BlockedLookupError } from "@/lib/net/outbound-guard";

export type PostPhase = "dns" | "connect" | "tls" | "response";

export interface PeerCertificateInfo {
  subject?: string;
  issuer?: string;
  validFrom?: string;
  validTo?: string;
  altNames?: string;
  selfSigned: boolean;
}

export interface PostFailure {
  /** How far the connection got before it failed */
  phase: PostPhase;
  /** Node/OpenSSL error code, or MCF_TIMEOUT / MCF_CANCELLED / MCF_BLOCKED_ADDRESS / MCF_BODY_TOO_LARGE */
  code: string;
  /** For MCF_BLOCKED_ADDRESS: the refused addresses the host is or resolved to */
  addresses?: string[];
  /** For TLS failures: the certificate the server presented, from a probe that sends nothing */
  peer?: PeerCertificateInfo;
}

export type PostResult =
  { ok: true; status: number; contentType: string; body: string; retryAfter?: string } | { ok: false; failure: PostFailure };

export interface PostOptions {
  url: URL;
  body: string;
  headers: Record<string, string>;
  ca: string[];
  timeoutMs: number;
  signal?: AbortSignal;
  maxBodyBytes?: number;
}

const MAX_BODY = 256 * 1024;

/** Kept as an export of this module for its callers; the rule itself lives in lib/net/outbound-guard.ts. */
export { isBlockedAddress };

/**
 * Every connection of this module resolves its host through guardedLookup: the addresses it
 * checks are the ones the socket connects to, so a DNS answer that changes between a check and the
 * connect (rebinding) cannot reach a refused address. Loopback stays allowed unless the operator
 * sets MCF_OUTBOUND_BLOCK_PRIVATE: the stand-in and local test set-ups run there.
 */
const lookup = guardedLookup as net.LookupFunction;

function describePeer(cert: tls.DetailedPeerCertificate): PeerCertificateInfo {
  const name = (n: tls.Certificate | undefined) => {
    if (!n) return undefined;
    const cn = n.CN ?? Object.values(n).flat().join(", ");
    return Array.isArray(cn) ? cn.join(", ") : cn;
  };
  const subject = name(cert.subject);
  const issuer = name(cert.issuer);
  return {
    subject,
    issuer,
    validFrom: cert.valid_from ? new Date(cert.valid_from).toISOString() : undefined,
    validTo: cert.valid_to ? new Date(cert.valid_to).toISOString() : undefined,
    altNames: cert.subjectaltname,
    selfSigned: subject !== undefined && subject === issuer && cert.fingerprint256 === cert.issuerCertificate?.fingerprint256,
  };
}

/** Handshake without verifying and without sending anything, only to read the presented certificate. */
function probePeerCertificate(
  host: string,
  port: number,
  servername: string | undefined,
  timeoutMs: number,
): Promise<PeerCertificateInfo | undefined> {
  return new Promise((resolve) => {
    const socket = tls.connect({ host, port, servername, rejectUnauthorized: false, lookup });
    const done = (info: PeerCertificateInfo | undefined) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(info);
    };
    const timer = setTimeout(() => done(undefined), timeoutMs);
    socket.once("secureConnect", () => {
      const cert = socket.getPeerCertificate(true);
      done(cert && Object.keys(cert).length > 0 ? describePeer(cert) : undefined);
    });
    socket.once("error", () => done(undefined));
  });
}

/**
 * Parsing the system store into a TLS context costs ~80 ms; profiles share a handful of CA lists, so
 * contexts are kept per distinct list (a small bounded map, oldest dropped first).
 */
const contexts = new Map<string, tls.SecureContext>();
function secureContextFor(ca: string[]): tls.SecureContext {
  const key = crypto.createHash("sha256").update(ca.join("\n")).digest("base64url");
  let context = contexts.get(key);
  if (!context) {
    context = tls.createSecureContext({ ca, minVersion: "TLSv1.2" });
    contexts.set(key, context);
    if (contexts.size > 32) contexts.delete(contexts.keys().next().value!);
  }
  return context;
}

const DNS_CODES = new Set(["ENOTFOUND", "EAI_AGAIN", "EAI_FAIL", "EAI_NODATA", "EAI_NONAME"]);

export function isTlsErrorCode(code: string): boolean {
  return /CERT|SELF_SIGNED|UNABLE_TO_|ERR_SSL|ERR_TLS|HOSTNAME|ALTNAME|EPROTO/.test(code) && !DNS_CODES.has(code);
}

export async function postForm(options: PostOptions): Promise<PostResult> {
  const { url } = options;
  const secure = url.protocol === "https:";
  const port = url.port ? Number(url.port) : secure ? 443 : 80;
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const servername = net.isIP(host) ? undefined : host;
  const started = Date.now();

  // An IP literal is never looked up (Node skips `lookup` for one), so it is judged here.
  if (net.isIP(host) && isBlockedAddress(host))
    return { ok: false, failure: { phase: "dns", code: "MCF_BLOCKED_ADDRESS", addresses: [host] } };
  if (testTargetRefusal(host)) return { ok: false, failure: { phase: "dns", code: "MCF_HOST_NOT_ALLOWED" } };

  const outcome = await new Promise<PostResult>((resolve) => {
    let phase: PostPhase = net.isIP(host) ? "connect" : "dns";
    let settled = false;
    const finish = (result: PostResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener("abort", onAbort);
      resolve(result);
    };
    const fail = (code: string, extra: Partial<PostFailure> = {}) => finish({ ok: false, failure: { phase, code, ...extra } });

    const requestOptions: https.RequestOptions = {
      method: "POST",
      host,
      port,
      path: `${url.pathname}${url.search}`,
      headers: { ...options.headers, "Content-Length": String(Buffer.byteLength(options.body)) },
      // A fresh connection per request: a pooled socket would skip the connect/TLS phases we report on.
      agent: false,
      lookup,
      ...(secure ? { secureContext: secureContextFor(options.ca), servername, rejectUnauthorized: true } : {}),
    };
    const req = (secure ? https : http).request(requestOptions, (res) => {
      phase = "response";
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > (options.maxBodyBytes ?? MAX_BODY)) {
          fail("MCF_BODY_TOO_LARGE");
          req.destroy();
          return;
        }
        chunks.push(chunk);
      });
      res.on("end", () =>
        finish({
          ok: true,
          status: res.statusCode ?? 0,
          contentType: String(res.headers["content-type"] ?? ""),
          body: Buffer.concat(chunks).toString("utf8"),
          ...(res.headers["retry-after"] ? { retryAfter: String(res.headers["retry-after"]) } : {}),
        }),
      );
      res.on("error", (e: NodeJS.ErrnoException) => fail(e.code ?? "ECONNRESET"));
      // A connection cut mid-answer: 'end' never comes, 'close' does with an incomplete message.
      res.on("close", () => {
        if (!res.complete) fail("ECONNRESET");
      });
    });
    req.on("socket", (socket) => {
      socket.once("lookup", () => (phase = "connect"));
      socket.once("connect", () => (phase = secure ? "tls" : "response"));
      socket.once("secureConnect", () => (phase = "response"));
    });
    req.on("error", (e: NodeJS.ErrnoException) => {
      const code = e.code ?? "EUNKNOWN";
      const blocked = code === "MCF_BLOCKED_ADDRESS" ? { addresses: (e as BlockedLookupError).addresses } : {};
      if (DNS_CODES.has(code) || code === "MCF_BLOCKED_ADDRESS") phase = "dns";
      else if (isTlsErrorCode(code) && phase !== "response") phase = "tls";
      fail(code, blocked);
    });

    const timer = setTimeout(() => {
      fail("MCF_TIMEOUT");
      req.destroy();
    }, options.timeoutMs);
    const onAbort = () => {
      fail("MCF_CANCELLED");
      req.destroy();
    };
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener("abort", onAbort, { once: true });
    req.end(options.body);
  });

  const notCertificateProblem = ["MCF_TIMEOUT", "MCF_CANCELLED", "ECONNRESET", "EPIPE"];
  if (!outcome.ok && outcome.failure.phase === "tls" && secure && !notCertificateProblem.includes(outcome.failure.code)) {
    const remaining = Math.max(500, Math.min(3000, options.timeoutMs - (Date.now() - started)));
    const peer = await probePeerCertificate(host, port, servername, remaining);
    if (peer) outcome.failure.peer = peer;
  }
  return outcome;
}
