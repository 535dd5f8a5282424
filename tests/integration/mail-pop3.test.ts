/**
 * lib/mail/pop3-client.ts against the real Dovecot (TLS, STLS, XOAUTH2 two-step, PLAIN,
 * USER/PASS) and against the fault servers (each failure → its typed error, in time, with no
 * socket left open on either side).
 */
import crypto from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Pop3Client, Pop3Error, type Pop3ConnectOptions } from "@/lib/mail/pop3-client";
import { createTestCa, type TestCa } from "../support/test-ca";
import { startDovecot, type DovecotServer } from "../servers/dovecot";
import { createTestTokenSigner, type TestTokenSigner } from "../servers/dovecot-oauth";
import {
  startClosingServer,
  startGarbageServer,
  startSilentServer,
  startTlsFaultServer,
  type FaultServer,
  type TlsFault,
} from "../servers/fault-servers";
import { openClientSockets, waitForNoClientSockets } from "../servers/fault-servers-sockets";

const APP = "0e5c7d8a-1111-4222-8333-00000000b0b0";
const ALICE = "alice@contoso.test";
let ca: TestCa;
let dovecot: DovecotServer;
let signer: TestTokenSigner;
const faults: FaultServer[] = [];

beforeAll(async () => {
  ca = await createTestCa();
  signer = await createTestTokenSigner();
  dovecot = await startDovecot({
    ca,
    oauth: signer.dovecot,
    grants: [{ clientId: APP, mailbox: ALICE }],
    users: [{ username: "dave@contoso.test", password: "dave pw: ümlaut" }],
    mailboxes: [
      { user: ALICE, messages: 4 },
      { user: "dave@contoso.test", messages: 2 },
    ],
  });
});

afterAll(async () => {
  await Promise.all(faults.map((f) => f.stop()));
  await dovecot?.stop();
});

afterEach(async () => {
  // Whatever a test did, the client must not keep a socket to any of our servers.
  await waitForNoClientSockets([...Object.values(dovecot.ports), ...faults.map((f) => f.port)]);
  // Server side too: the STARTTLS forwarder sees the client's close a moment later.
  await expect.poll(() => dovecot.starttlsConnections(), { timeout: 1_000, interval: 10 }).toBe(0);
});

function transcriptRecorder() {
  const lines: string[] = [];
  return { lines, transcript: (direction: "C" | "S", line: string) => lines.push(`${direction}: ${line}`) };
}

function options(overrides: Partial<Pop3ConnectOptions>): Pop3ConnectOptions {
  return {
    host: dovecot.host,
    port: dovecot.ports.pop3Tls,
    secure: true,
    tls: { ca: dovecot.caPem },
    commandTimeoutMs: 5_000,
    ...overrides,
  };
}

async function expectPop3Error(promise: Promise<unknown>): Promise<Pop3Error> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(Pop3Error);
    return error as Pop3Error;
  }
  throw new Error("expected a Pop3Error");
}

describe("POP3 client against Dovecot", () => {
  it("implicit TLS + USER/PASS: STAT matches the pre-filled mailbox; PASS is masked", async () => {
    const { lines, transcript } = transcriptRecorder();
    const client = await Pop3Client.connect(options({ transcript }));
    try {
      expect(client.greeting).toContain("Dovecot");
      expect(client.tlsInfo).toMatchObject({ authorized: true, authorizationError: null });
      expect(client.tlsInfo?.protocol).toMatch(/^TLSv1\.[23]$/);
      expect(client.tlsInfo?.peerCertificate?.subjectAltName).toContain("IP Address:127.0.0.1");
      expect(client.tlsInfo?.chain.at(-1)?.subject).toBe("CN=MCF Test CA");
      await client.userPass("dave@contoso.test", "dave pw: ümlaut");
      expect(await client.stat()).toEqual(dovecot.mailboxes["dave@contoso.test"]);
      expect(await client.quit()).toBe(true);
    } finally {
      client.close();
    }
    expect(lines).toContain("C: USER dave@contoso.test");
    expect(lines).toContain("C: PASS ••••••");
    expect(lines.join("\n")).not.toContain("ümlaut");
    expect(lines.at(-1)).toMatch(/^S: \+OK/);
  });

  it("implicit TLS + AUTH PLAIN (initial response on the AUTH line, masked)", async () => {
    const { lines, transcript } = transcriptRecorder();
    const client = await Pop3Client.connect(options({ transcript }));
    try {
      await client.authPlain("dave@contoso.test", "dave pw: ümlaut");
      expect((await client.stat()).messages).toBe(2);
    } finally {
      await client.quit();
    }
    expect(lines).toContain("C: AUTH PLAIN ••••••");
    expect(lines.join("\n")).not.toMatch(/ümlaut|AGRhdm/);
  });

  it("XOAUTH2 in the two-step form: AUTH XOAUTH2, +, payload; the token never reaches the transcript", async () => {
    const token = await signer.sign({ appid: APP });
    const { lines, transcript } = transcriptRecorder();
    const client = await Pop3Client.connect(options({ transcript }));
    try {
      const capabilities = await client.capa();
      expect(capabilities).toContain("SASL PLAIN LOGIN XOAUTH2");
      await client.authXoauth2(ALICE, token);
      expect(await client.stat()).toEqual(dovecot.mailboxes[ALICE]);
    } finally {
      await client.quit();
    }
    const text = lines.join("\n");
    // Dovecot's continuation is "+ " (with the space); the transcript shows lines as received.
    expect(text).toMatch(/C: AUTH XOAUTH2\nS: \+ ?\nC: ••••••\nS: \+OK/);
    expect(text).not.toContain(token);
    expect(text).not.toContain(token.slice(0, 40));
    expect(text).not.toContain(Buffer.from(`user=${ALICE}\x01auth=Bearer `).toString("base64").slice(0, 20));
  });

  it("XOAUTH2 for a mailbox the app was not granted: auth_failed with the decoded challenge and Dovecot's text", async () => {
    const token = await signer.sign({ appid: APP });
    const { lines, transcript } = transcriptRecorder();
    const client = await Pop3Client.connect(options({ transcript }));
    try {
      const error = await expectPop3Error(client.authXoauth2("bob@contoso.test", token));
      expect(error.code).toBe("auth_failed");
      expect(error.command).toBe("AUTH XOAUTH2");
      expect(error.responseCode).toBe("AUTH");
      expect(error.serverText).toBe("[AUTH] Authentication failed.");
      expect(error.challenge).toMatchObject({ status: "401", schemes: "bearer", scope: "mail" });
      expect(error.message).not.toContain(token.slice(0, 20));
      // The session is still usable after a failed AUTH, like on a real server.
      expect(await client.quit()).toBe(true);
    } finally {
      client.close();
    }
    // The empty line that ends the failed exchange is in the transcript, the token is not.
    expect(lines.join("\n")).toMatch(/C: ••••••\nS: \+ eyJ[^\n]+\nC: \nS: -ERR \[AUTH\] Authentication failed\./);
    expect(lines.join("\n")).not.toContain(token);
  });

  it("a wrong password fails with auth_failed and the server's text", async () => {
    const client = await Pop3Client.connect(options({}));
    try {
      const error = await expectPop3Error(client.userPass("dave@contoso.test", "wrong"));
      expect(error).toMatchObject({ code: "auth_failed", command: "PASS", serverText: "[AUTH] Authentication failed." });
    } finally {
      client.close();
    }
  });

  it("STARTTLS port: USER is refused before STLS; after STLS XOAUTH2 and STAT work", async () => {
    const token = await signer.sign({ appid: APP });
    const { lines, transcript } = transcriptRecorder();
    const client = await Pop3Client.connect(options({ port: dovecot.ports.pop3Starttls, secure: false, transcript }));
    try {
      expect(client.secure).toBe(false);
      const before = await client.capa();
      expect(before).toContain("STLS");
      // Before TLS Dovecot lists no SASL mechanism at all ("SASL" alone).
      expect(before.find((line) => line.startsWith("SASL"))).toBe("SASL");
      const refused = await expectPop3Error(client.userPass("dave@contoso.test", "dave pw: ümlaut"));
      expect(refused).toMatchObject({ code: "auth_failed", command: "USER" });
      expect(refused.serverText).toContain("Plaintext authentication disallowed");

      const info = await client.stls();
      expect(info.authorized).toBe(true);
      expect(client.secure).toBe(true);
      expect(await client.capa()).toContain("SASL PLAIN LOGIN XOAUTH2");
      await client.authXoauth2(ALICE, token);
      expect((await client.stat()).messages).toBe(4);
    } finally {
      await client.quit();
    }
    // Only "USER" was sent in the clear, never the password (the client stops after -ERR to USER).
    expect(lines.join("\n")).not.toContain("ümlaut");
  });

  it("STLS to a certificate the caller does not trust: tls error, nothing sent after the handshake", async () => {
    const { lines, transcript } = transcriptRecorder();
    const client = await Pop3Client.connect(options({ port: dovecot.ports.pop3Starttls, secure: false, tls: {}, transcript }));
    try {
      const error = await expectPop3Error(client.stls());
      expect(error).toMatchObject({ code: "tls", phase: "tls", nodeCode: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" });
      expect(error.tls?.peerCertificate?.issuer).toBe("CN=MCF Test CA");
      expect(client.closed).toBe(true);
    } finally {
      client.close();
    }
    expect(lines.at(-1)).toBe("S: +OK Begin TLS negotiation now.");
  });

  it("refuses arguments that would inject a second command", async () => {
    const client = await Pop3Client.connect(options({}));
    try {
      const error = await expectPop3Error(client.userPass("dave@contoso.test\r\nDELE 1", "x"));
      expect(error.code).toBe("invalid_argument");
    } finally {
      await client.quit();
    }
  });
});

describe("POP3 client against fault servers", () => {
  async function fault<T extends FaultServer>(start: Promise<T>): Promise<T> {
    const server = await start;
    faults.push(server);
    return server;
  }

  async function timed(promise: Promise<unknown>) {
    const started = Date.now();
    const error = await expectPop3Error(promise);
    return { error, ms: Date.now() - started };
  }

  it("a server that accepts and never answers: greeting timeout (plain) and TLS-handshake timeout (implicit TLS)", async () => {
    const server = await fault(startSilentServer());
    const plain = await timed(Pop3Client.connect({ host: server.host, port: server.port, secure: false, commandTimeoutMs: 300 }));
    expect(plain.error).toMatchObject({ code: "timeout", phase: "greeting" });
    expect(plain.ms).toBeLessThan(1_500);
    const secure = await timed(
      Pop3Client.connect({ host: server.host, port: server.port, secure: true, tls: { ca: ca.caPem }, connectTimeoutMs: 300 }),
    );
    expect(secure.error).toMatchObject({ code: "timeout", phase: "tls" });
    expect(secure.ms).toBeLessThan(1_500);
    await server.waitForNoConnections();
  });

  it("the overall deadline wins over a longer command timeout", async () => {
    const server = await fault(startSilentServer());
    const { error, ms } = await timed(
      Pop3Client.connect({ host: server.host, port: server.port, secure: false, commandTimeoutMs: 10_000, deadlineMs: 250 }),
    );
    expect(error.code).toBe("timeout");
    expect(error.message).toContain("250 ms");
    expect(ms).toBeLessThan(1_500);
    await server.waitForNoConnections();
  });

  it("an AbortSignal cancels a pending wait at once", async () => {
    const server = await fault(startSilentServer());
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const { error, ms } = await timed(
      Pop3Client.connect({ host: server.host, port: server.port, secure: false, signal: controller.signal }),
    );
    expect(error).toMatchObject({ code: "aborted", phase: "greeting" });
    expect(ms).toBeLessThan(1_000);
    await server.waitForNoConnections();
  });

  it("a server that closes on connect: closed (plain) and closed during the TLS handshake", async () => {
    const server = await fault(startClosingServer());
    const plain = await timed(Pop3Client.connect({ host: server.host, port: server.port, secure: false }));
    expect(plain.error).toMatchObject({ code: "closed", phase: "greeting" });
    const secure = await timed(Pop3Client.connect({ host: server.host, port: server.port, secure: true, tls: { ca: ca.caPem } }));
    expect(secure.error).toMatchObject({ code: "closed", phase: "tls" });
    expect(Math.max(plain.ms, secure.ms)).toBeLessThan(1_000);
  });

  it("a binary greeting is a protocol error, shown escaped in the transcript", async () => {
    const server = await fault(startGarbageServer("binary"));
    const { lines, transcript } = transcriptRecorder();
    const { error } = await timed(Pop3Client.connect({ host: server.host, port: server.port, secure: false, transcript }));
    expect(error).toMatchObject({ code: "protocol", phase: "greeting" });
    expect(lines[0]).toMatch(/^S: \\x16\\x03\\x01\\x00/);
    await server.waitForNoConnections();
  });

  it("an endless greeting line stops at the line-length limit", async () => {
    const server = await fault(startGarbageServer("long-line"));
    const { error, ms } = await timed(
      Pop3Client.connect({ host: server.host, port: server.port, secure: false, maxLineLength: 8192 }),
    );
    expect(error).toMatchObject({ code: "line_too_long", phase: "greeting" });
    expect(ms).toBeLessThan(1_000);
    await server.waitForNoConnections();
  });

  it.each<[TlsFault, string]>([
    ["expired", "CERT_HAS_EXPIRED"],
    ["wrong-host", "ERR_TLS_CERT_ALTNAME_INVALID"],
    ["untrusted", "UNABLE_TO_VERIFY_LEAF_SIGNATURE"],
  ])("a %s certificate is rejected with %s, and the certificate is described", async (kind, nodeCode) => {
    const server = await fault(startTlsFaultServer(ca, kind, { protocol: "pop3" }));
    const { lines, transcript } = transcriptRecorder();
    const { error } = await timed(
      Pop3Client.connect({ host: server.host, port: server.port, secure: true, tls: { ca: ca.caPem }, transcript }),
    );
    expect(error).toMatchObject({ code: "tls", phase: "tls", nodeCode });
    expect(error.tls?.authorized).toBe(false);
    expect(error.tls?.peerCertificate?.fingerprint256).toBe(new crypto.X509Certificate(server.certPem).fingerprint256);
    expect(new crypto.X509Certificate(error.tls!.peerCertificate!.pem).fingerprint256).toBe(
      error.tls?.peerCertificate?.fingerprint256,
    );
    if (kind === "wrong-host") expect(error.message).toContain("mail.example.net");
    // Nothing was read from the server before the certificate check.
    expect(lines).toEqual([]);
    await server.waitForNoConnections();
  });

  it("rejectUnauthorized: false continues past a bad certificate but still reports why it is bad", async () => {
    const server = await fault(startTlsFaultServer(ca, "expired", { protocol: "pop3" }));
    const client = await Pop3Client.connect({
      host: server.host,
      port: server.port,
      secure: true,
      tls: { ca: ca.caPem, rejectUnauthorized: false },
    });
    try {
      expect(client.greeting).toBe("Fault server ready");
      expect(client.tlsInfo).toMatchObject({ authorized: false, authorizationError: "CERT_HAS_EXPIRED" });
    } finally {
      client.close();
    }
    await server.waitForNoConnections();
  });

  it("a closed port is a network error with Node's code", async () => {
    const server = await startSilentServer();
    const port = server.port;
    await server.stop();
    const { error } = await timed(Pop3Client.connect({ host: "127.0.0.1", port, secure: false }));
    expect(error).toMatchObject({ code: "network", phase: "connect", nodeCode: "ECONNREFUSED" });
    const secure = await timed(Pop3Client.connect({ host: "127.0.0.1", port, secure: true }));
    expect(secure.error).toMatchObject({ code: "network", phase: "connect", nodeCode: "ECONNREFUSED" });
    expect(openClientSockets([port])).toBe(0);
  });
});
