/**
 * Benchmark: the staged connection test against a sequential reference, with 25 ms of
 * latency each way in front of BOTH the local Dovecot and the token-endpoint stand-in (a round trip
 * costs 50 ms, like a mail server a few countries away).
 *
 *   ours       runConnectionTest, IMAP over TLS with XOAUTH2: the token request runs while the one
 *              mail connection is set up (DNS/TCP/TLS/greeting/ID), then AUTHENTICATE, NAMESPACE,
 *              EXAMINE INBOX (no LIST/LSUB), LOGOUT.
 *   reference  the same libraries one after the other: requestToken, then ImapSession.open (connect,
 *              TLS, greeting, ID, AUTHENTICATE, ID, NAMESPACE), then examineInbox() as imapflow does
 *              it by default (LIST, LSUB, EXAMINE), then logout(). It gets the same cached TLS
 *              context, so it pays no CA-parsing cost ours avoids.
 *
 * Median of RUNS runs each (interleaved, after warm-up runs), printed with the ratio; target ≤ 0.75.
 *   node --import ./scripts/server-runtime.mjs scripts/bench/connection-test.mts [runs]
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";

const RUNS = Math.max(20, Number(process.argv[2] ?? 20));
const LATENCY_MS = 25;
const WARMUP = 3;

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcf-bench-"));
process.env.MCF_DATA_DIR = dir;
process.env.MCF_SECRET_KEY = crypto.randomBytes(32).toString("base64");
process.env.MCF_LOG_LEVEL = "silent";

const { runConnectionTest } = await import("../../lib/diagnostics/run-test");
const { secureContextFor } = await import("../../lib/diagnostics/connection");
const { ImapSession } = await import("../../lib/mail/imap-session");
const { requestToken } = await import("../../lib/oauth/token-request");
const { trustedCertificates } = await import("../../lib/net/trust");
const { oauthSecretInput } = await import("../../tests/support/profile-fixtures");
const { CLIENT, TENANT, startMailFixture } = await import("../../tests/support/mail-fixture");
const { startLatencyProxy } = await import("../../tests/servers/latency-proxy");

const SECRET = "Bx7~bench-secret-0123456789abcdefghijklm";
const MAILBOX = "bench@contoso.test";

const mail = await startMailFixture({
  apps: [{ clientId: CLIENT, secrets: [SECRET], roles: ["IMAP.AccessAsApp"] }],
  grants: [{ clientId: CLIENT, mailbox: MAILBOX }],
  mailboxes: [{ user: MAILBOX, messages: 25 }],
});
const { ca, tokens: endpoint, dovecot } = mail;
const tokenProxy = await startLatencyProxy({ targetPort: Number(new URL(endpoint.url).port), latencyMs: LATENCY_MS });
const imapProxy = await startLatencyProxy({ targetPort: dovecot.ports.imapTls, latencyMs: LATENCY_MS });
const tokenUrl = `https://127.0.0.1:${tokenProxy.port}/${TENANT}/oauth2/v2.0/token`;

const profile = oauthSecretInput({ host: "127.0.0.1", username: MAILBOX, secret: SECRET });
profile.connection.port = String(imapProxy.port);
profile.connection.trustedCaPem = ca.caPem;
profile.authentication.tokenUrl = tokenUrl;
profile.authentication.tenantId = TENANT;
profile.authentication.requestProperties = profile.authentication.requestProperties.map((r) =>
  r.key === "client_id" ? { ...r, value: CLIENT } : r,
);

async function ours(): Promise<number> {
  const started = performance.now();
  const result = await runConnectionTest({ profile, secrets: {} });
  const ms = performance.now() - started;
  if (!result.ok) throw new Error(`ours failed: ${result.summary}`);
  return ms;
}

const secureContext = secureContextFor(trustedCertificates(ca.caPem), "TLSv1.2", "TLSv1.3");
async function reference(): Promise<number> {
  const started = performance.now();
  const token = await requestToken({
    tokenUrl,
    method: "client_secret",
    clientAuthentication: "client_secret_post",
    requestProperties: { grant_type: "client_credentials", client_id: CLIENT, scope: "https://outlook.office365.com/.default" },
    clientSecret: SECRET,
    trustedCaPem: ca.caPem,
  });
  if (!token.ok) throw new Error(`reference token failed: ${token.title}`);
  const session = await ImapSession.open({
    host: "127.0.0.1",
    port: imapProxy.port,
    secure: true,
    tls: { secureContext },
    auth: { user: MAILBOX, accessToken: token.accessToken },
  });
  try {
    const box = await session.examineInbox();
    if (box.exists !== 25) throw new Error(`reference saw ${box.exists} messages`);
  } finally {
    await session.logout();
  }
  return performance.now() - started;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const fmt = (ms: number) => `${ms.toFixed(0).padStart(5)} ms (${(ms / (2 * LATENCY_MS)).toFixed(1)} RTT)`;

try {
  for (let i = 0; i < WARMUP; i++) {
    await ours();
    await reference();
  }
  const oursMs: number[] = [];
  const referenceMs: number[] = [];
  // Interleaved, and alternating which goes first, so drift in machine load hits both alike.
  for (let i = 0; i < RUNS; i++) {
    if (i % 2 === 0) {
      oursMs.push(await ours());
      referenceMs.push(await reference());
    } else {
      referenceMs.push(await reference());
      oursMs.push(await ours());
    }
  }
  const a = median(oursMs);
  const b = median(referenceMs);
  console.log(
    `connection test benchmark: IMAP over TLS, XOAUTH2, ${LATENCY_MS} ms latency each way (RTT ${2 * LATENCY_MS} ms) to Dovecot and to the token stand-in`,
  );
  console.log(`runs: ${RUNS} each (after ${WARMUP} warm-up runs each), Node ${process.version}, ${os.cpus().length} CPUs`);
  console.log(
    `ours       median ${fmt(a)}   min ${Math.min(...oursMs).toFixed(0)} ms   max ${Math.max(...oursMs).toFixed(0)} ms`,
  );
  console.log(
    `reference  median ${fmt(b)}   min ${Math.min(...referenceMs).toFixed(0)} ms   max ${Math.max(...referenceMs).toFixed(0)} ms`,
  );
  console.log(`ratio      ${(a / b).toFixed(2)} (target ≤ 0.75): ${a / b <= 0.75 ? "met" : "NOT met"}`);
  process.exitCode = a / b <= 0.75 ? 0 : 1;
} finally {
  await Promise.all([tokenProxy.stop(), imapProxy.stop()]);
  await mail.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
