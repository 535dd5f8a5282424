/**
 * A small benchmark: the staged test's IMAP and POP3 flows through a latency proxy, to see how
 * many round trips each needs (a distant Exchange Online is 50–150 ms away). Prints the numbers;
 * asserts only that the latency really applied and that a flow stays within a sane bound.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ImapSession } from "@/lib/mail/imap-session";
import { Pop3Client } from "@/lib/mail/pop3-client";
import { createTestCa } from "../support/test-ca";
import { startDovecot, type DovecotServer } from "../servers/dovecot";
import { createTestTokenSigner, type TestTokenSigner } from "../servers/dovecot-oauth";
import { startLatencyProxy, type LatencyProxy } from "../servers/latency-proxy";

const LATENCY_MS = 30; // one way; a round trip costs 60 ms
const APP = "bench-app";
const BOX = "bench@contoso.test";
let dovecot: DovecotServer;
let signer: TestTokenSigner;
const proxies: LatencyProxy[] = [];

beforeAll(async () => {
  signer = await createTestTokenSigner();
  dovecot = await startDovecot({
    ca: await createTestCa(),
    oauth: signer.dovecot,
    grants: [{ clientId: APP, mailbox: BOX }],
    mailboxes: [{ user: BOX, messages: 10 }],
  });
});

afterAll(async () => {
  await Promise.all(proxies.map((p) => p.stop()));
  await dovecot?.stop();
});

async function proxyTo(port: number) {
  const proxy = await startLatencyProxy({ targetPort: port, latencyMs: LATENCY_MS });
  proxies.push(proxy);
  return proxy;
}

function report(name: string, ms: number) {
  const roundTrips = ms / (2 * LATENCY_MS);
  console.log(`${name}: ${ms} ms ≈ ${roundTrips.toFixed(1)} round trips at ${2 * LATENCY_MS} ms RTT`);
  return roundTrips;
}

describe("round trips through a latency proxy", () => {
  it("IMAP, implicit TLS, XOAUTH2: open + EXAMINE INBOX + LOGOUT", async () => {
    const proxy = await proxyTo(dovecot.ports.imapTls);
    const accessToken = await signer.sign({ appid: APP });
    const started = Date.now();
    const session = await ImapSession.open({
      host: proxy.host,
      port: proxy.port,
      secure: true,
      tls: { ca: dovecot.caPem },
      auth: { user: BOX, accessToken },
    });
    try {
      expect((await session.examineInbox()).exists).toBe(10);
    } finally {
      await session.logout();
    }
    const trips = report("IMAP TLS XOAUTH2", Date.now() - started);
    expect(trips).toBeGreaterThanOrEqual(5);
    expect(trips).toBeLessThan(25);
  });

  it("IMAP, STARTTLS, XOAUTH2: open + EXAMINE INBOX + LOGOUT", async () => {
    const proxy = await proxyTo(dovecot.ports.imapStarttls);
    const accessToken = await signer.sign({ appid: APP });
    const started = Date.now();
    const session = await ImapSession.open({
      host: proxy.host,
      port: proxy.port,
      secure: false,
      doSTARTTLS: true,
      tls: { ca: dovecot.caPem },
      auth: { user: BOX, accessToken },
    });
    try {
      await session.examineInbox();
    } finally {
      await session.logout();
    }
    const trips = report("IMAP STARTTLS XOAUTH2", Date.now() - started);
    expect(trips).toBeGreaterThanOrEqual(6);
    expect(trips).toBeLessThan(30);
  });

  it("POP3, implicit TLS, XOAUTH2 two-step: CAPA + AUTH + STAT + QUIT", async () => {
    const proxy = await proxyTo(dovecot.ports.pop3Tls);
    const accessToken = await signer.sign({ appid: APP });
    const started = Date.now();
    const client = await Pop3Client.connect({ host: proxy.host, port: proxy.port, secure: true, tls: { ca: dovecot.caPem } });
    try {
      await client.capa();
      await client.authXoauth2(BOX, accessToken);
      expect((await client.stat()).messages).toBe(10);
    } finally {
      await client.quit();
    }
    const trips = report("POP3 TLS XOAUTH2", Date.now() - started);
    expect(trips).toBeGreaterThanOrEqual(5);
    expect(trips).toBeLessThan(20);
  });
});
