/**
 * lib/mail/imap-session.ts against the real Dovecot (implicit TLS, STARTTLS, XOAUTH2 with
 * SASL-IR, PLAIN, LOGIN), an Exchange-like scripted server, and the fault servers: success
 * paths, typed failures with the server's own text, transcript masking, no socket left open.
 */
import crypto from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { ImapSession, ImapSessionError, type ImapSessionOptions } from "@/lib/mail/imap-session";
import { createTestCa, type TestCa } from "../support/test-ca";
import { startDovecot, type DovecotServer } from "../servers/dovecot";
import { createTestTokenSigner, type TestTokenSigner } from "../servers/dovecot-oauth";
import {
  startClosingServer,
  startExchangeLikeImapServer,
  startGarbageServer,
  startImapNoCapabilityServer,
  startSilentServer,
  startTlsFaultServer,
  type FaultServer,
  type TlsFault,
} from "../servers/fault-servers";
import { waitForNoClientSockets } from "../servers/fault-servers-sockets";

const APP = "3d2a9b7c-5555-4666-8777-00000000c0de";
const ALICE = "alice@contoso.test";
const CAROL = { user: "carol@contoso.test", pass: "carol's pässword 1" };
let ca: TestCa;
let dovecot: DovecotServer;
let signer: TestTokenSigner;
const faults: FaultServer[] = [];
// Every line any session in this file produced; checked once at the end for leaked secrets.
const allLines: string[] = [];
const secrets: string[] = [CAROL.pass];

beforeAll(async () => {
  ca = await createTestCa();
  signer = await createTestTokenSigner();
  dovecot = await startDovecot({
    ca,
    oauth: signer.dovecot,
    grants: [{ clientId: APP, mailbox: ALICE }],
    users: [{ username: CAROL.user, password: CAROL.pass }],
    mailboxes: [
      { user: ALICE, messages: 3 },
      { user: CAROL.user, messages: 6 },
    ],
  });
});

afterEach(async () => {
  await waitForNoClientSockets([...Object.values(dovecot.ports), ...faults.map((f) => f.port)]);
  await expect.poll(() => dovecot.starttlsConnections(), { timeout: 1_000, interval: 10 }).toBe(0);
});

afterAll(async () => {
  await Promise.all(faults.map((f) => f.stop()));
  await dovecot?.stop();
  const text = allLines.join("\n");
  for (const secret of secrets) {
    expect(text).not.toContain(secret);
    expect(text).not.toContain(secret.slice(0, 24));
    expect(text).not.toContain(Buffer.from(secret).toString("base64").slice(0, 16));
  }
});

function recorder() {
  const lines: string[] = [];
  return {
    lines,
    transcript: (direction: "C" | "S", line: string) => {
      lines.push(`${direction}: ${line}`);
      allLines.push(`${direction}: ${line}`);
    },
  };
}

async function token(appid = APP, extra: Parameters<TestTokenSigner["sign"]>[0] = { appid }) {
  const value = await signer.sign({ ...extra, appid });
  secrets.push(value, Buffer.from(`user=${ALICE}\x01auth=Bearer ${value}\x01\x01`).toString("base64"));
  return value;
}

function tlsOptions(overrides: Partial<ImapSessionOptions>): ImapSessionOptions {
  return {
    host: dovecot.host,
    port: dovecot.ports.imapTls,
    secure: true,
    tls: { ca: dovecot.caPem },
    auth: CAROL,
    commandTimeoutMs: 5_000,
    ...overrides,
  };
}

async function expectImapError(promise: Promise<unknown>): Promise<ImapSessionError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(ImapSessionError);
    return error as ImapSessionError;
  }
  throw new Error("expected an ImapSessionError");
}

describe("IMAP session against Dovecot", () => {
  it("implicit TLS + XOAUTH2 (SASL-IR): EXAMINE INBOX, greeting, capabilities, TLS details; the token is masked", async () => {
    const accessToken = await token();
    const { lines, transcript } = recorder();
    const session = await ImapSession.open(tlsOptions({ auth: { user: ALICE, accessToken }, transcript }));
    try {
      expect(session.greeting).toMatch(/^\* OK \[CAPABILITY .*\] Dovecot \(Debian\) ready\.$/);
      expect(session.preAuthCapabilities).toEqual(expect.arrayContaining(["IMAP4rev1", "SASL-IR", "AUTH=XOAUTH2", "AUTH=PLAIN"]));
      expect(session.capabilities).toEqual(expect.arrayContaining(["NAMESPACE", "UIDPLUS"]));
      expect(session.authMechanism).toBe("AUTH=XOAUTH2");
      expect(session.tls).toMatchObject({ authorized: true });
      expect(session.tls?.protocol).toMatch(/^TLSv1\.[23]$/);
      expect(session.tls?.peerCertificate?.subjectAltName).toContain("IP Address:127.0.0.1");
      const inbox = await session.examineInbox();
      expect(inbox.exists).toBe(3);
      expect(inbox.uidValidity).toBeGreaterThan(0);
      expect(await session.logout()).toBe(true);
    } finally {
      session.close();
    }
    const text = lines.join("\n");
    expect(text).toMatch(/C: \w+ AUTHENTICATE XOAUTH2 ••••••\nS: \w+ OK/);
    expect(text).toMatch(/C: \w+ EXAMINE INBOX/);
    expect(text).not.toContain(accessToken);
  });

  it("implicit TLS + Basic: AUTHENTICATE PLAIN by default, LOGIN on request; the password is masked", async () => {
    const { lines, transcript } = recorder();
    const plain = await ImapSession.open(tlsOptions({ transcript }));
    try {
      expect(plain.authMechanism).toBe("AUTH=PLAIN");
      expect((await plain.examineInbox()).exists).toBe(6);
    } finally {
      await plain.logout();
    }
    const login = await ImapSession.open(tlsOptions({ auth: { ...CAROL, loginMethod: "LOGIN" }, transcript }));
    try {
      expect(login.authMechanism).toBe("LOGIN");
      expect((await login.examineInbox()).exists).toBe(6);
    } finally {
      await login.logout();
    }
    const text = lines.join("\n");
    expect(text).toMatch(/C: \w+ AUTHENTICATE PLAIN\nS: \+ ?\nC: ••••••\nS: \w+ OK/);
    expect(text).toMatch(/C: \w+ LOGIN "carol@contoso.test" ••••••\n/);
  });

  it("STARTTLS required: upgrades, then logs in; capabilities are the ones after TLS", async () => {
    const { lines, transcript } = recorder();
    const session = await ImapSession.open(
      tlsOptions({
        port: dovecot.ports.imapStarttls,
        secure: false,
        doSTARTTLS: true,
        auth: { user: ALICE, accessToken: await token() },
        transcript,
      }),
    );
    try {
      expect(session.greeting).toContain("LOGINDISABLED");
      expect(session.preAuthCapabilities).toContain("AUTH=XOAUTH2");
      expect(session.preAuthCapabilities).not.toContain("LOGINDISABLED");
      expect(session.tls?.authorized).toBe(true);
      expect((await session.examineInbox()).exists).toBe(3);
    } finally {
      await session.logout();
    }
    expect(lines.join("\n")).toMatch(/C: \w+ STARTTLS\nS: \w+ OK Begin TLS negotiation now\./);
  });

  it("STARTTLS to a certificate the caller does not trust: tls error in the starttls stage", async () => {
    const error = await expectImapError(
      ImapSession.open(tlsOptions({ port: dovecot.ports.imapStarttls, secure: false, doSTARTTLS: true, tls: {} })),
    );
    expect(error).toMatchObject({ code: "tls", stage: "starttls", nodeCode: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" });
  });

  it("STARTTLS port without STARTTLS: LOGIN is refused up front (LOGINDISABLED), XOAUTH2 is not offered", async () => {
    const noTls = { port: dovecot.ports.imapStarttls, secure: false, doSTARTTLS: false } as const;
    const basic = await expectImapError(ImapSession.open(tlsOptions({ ...noTls })));
    expect(basic).toMatchObject({ code: "login_disabled", stage: "auth" });
    const oauth = await expectImapError(
      ImapSession.open(tlsOptions({ ...noTls, auth: { user: ALICE, accessToken: await token() } })),
    );
    expect(oauth).toMatchObject({ code: "mechanism_unavailable", stage: "auth" });
  });

  it("a wrong password: auth_failed with Dovecot's response code, text and line", async () => {
    const error = await expectImapError(ImapSession.open(tlsOptions({ auth: { user: CAROL.user, pass: "wrong password" } })));
    expect(error).toMatchObject({
      code: "auth_failed",
      stage: "auth",
      serverStatus: "NO",
      serverResponseCode: "AUTHENTICATIONFAILED",
      serverText: "Authentication failed.",
    });
    expect(error.serverLine).toMatch(/^\w+ NO \[AUTHENTICATIONFAILED\] Authentication failed\.$/);
  });

  it("XOAUTH2 for a mailbox the app was not granted: auth_failed with Dovecot's error challenge", async () => {
    const { lines, transcript } = recorder();
    const error = await expectImapError(
      ImapSession.open(tlsOptions({ auth: { user: "bob@contoso.test", accessToken: await token() }, transcript })),
    );
    expect(error).toMatchObject({ code: "auth_failed", serverResponseCode: "AUTHENTICATIONFAILED" });
    expect(error.challenge).toMatchObject({ status: "401", schemes: "bearer", scope: "mail" });
    // The empty line that answers the challenge is shown; the payload is not.
    expect(lines.join("\n")).toMatch(/C: \w+ AUTHENTICATE XOAUTH2 ••••••\nS: \+ eyJ\S+\nC: \nS: \w+ NO \[AUTHENTICATIONFAILED\]/);
  });

  it("an expired token fails like any rejected token", async () => {
    const error = await expectImapError(
      ImapSession.open(tlsOptions({ auth: { user: ALICE, accessToken: await token(APP, { appid: APP, expiresIn: -300 }) } })),
    );
    expect(error.code).toBe("auth_failed");
  });

  it("close() is idempotent and later calls fail with a typed error", async () => {
    const session = await ImapSession.open(tlsOptions({}));
    session.close();
    session.close();
    expect(await session.logout()).toBe(false);
    const error = await expectImapError(session.examineInbox());
    expect(error.code).toBe("closed");
  });
});

describe("IMAP session against an Exchange-like server", () => {
  async function exchange(mode: "ok" | "auth-failed" | "not-connected") {
    const server = await startExchangeLikeImapServer(mode);
    faults.push(server);
    return server;
  }
  const plain = (port: number, accessToken: string): ImapSessionOptions => ({
    host: "127.0.0.1",
    port,
    secure: false,
    doSTARTTLS: false,
    auth: { user: "shared@contoso.com", accessToken },
    commandTimeoutMs: 2_000,
  });

  it("sends the XOAUTH2 payload Exchange expects, on the AUTHENTICATE line (SASL-IR)", async () => {
    const server = await exchange("ok");
    const session = await ImapSession.open(plain(server.port, "EwBAAl3BAAUFFpUAo7J3Ve0bjLBWZWCclRC3EoAA"));
    try {
      expect((await session.examineInbox()).exists).toBe(7);
    } finally {
      await session.logout();
    }
    const auth = server.received.find((line) => / AUTHENTICATE XOAUTH2 /.test(line))!;
    expect(Buffer.from(auth.split(" ")[3]!, "base64").toString()).toBe(
      "user=shared@contoso.com\x01auth=Bearer EwBAAl3BAAUFFpUAo7J3Ve0bjLBWZWCclRC3EoAA\x01\x01",
    );
  });

  it("'NO AUTHENTICATE failed.' (no challenge) is auth_failed with that text", async () => {
    const server = await exchange("auth-failed");
    const error = await expectImapError(ImapSession.open(plain(server.port, "token-that-exchange-rejects")));
    expect(error).toMatchObject({ code: "auth_failed", stage: "auth", serverStatus: "NO", serverText: "AUTHENTICATE failed." });
    expect(error.challenge).toBeUndefined();
  });

  it("'BAD User is authenticated but not connected.' is not_connected, not a successful login", async () => {
    const server = await exchange("not-connected");
    const error = await expectImapError(ImapSession.open(plain(server.port, "token-for-the-wrong-mailbox")));
    expect(error.code).toBe("not_connected");
    expect(error.message).toContain("User is authenticated but not connected.");
  });
});

describe("IMAP session against fault servers", () => {
  async function fault<T extends FaultServer>(start: Promise<T>): Promise<T> {
    const server = await start;
    faults.push(server);
    return server;
  }
  async function timed(promise: Promise<unknown>) {
    const started = Date.now();
    const error = await expectImapError(promise);
    return { error, ms: Date.now() - started };
  }
  const at = (server: FaultServer, overrides: Partial<ImapSessionOptions> = {}): ImapSessionOptions => ({
    host: server.host,
    port: server.port,
    secure: false,
    doSTARTTLS: false,
    tls: { ca: ca.caPem },
    auth: { user: "x@contoso.test", pass: "never-sent-password" },
    connectTimeoutMs: 400,
    greetingTimeoutMs: 400,
    commandTimeoutMs: 400,
    ...overrides,
  });

  it("accepts and never answers: greeting timeout (plain), connect timeout (implicit TLS)", async () => {
    const server = await fault(startSilentServer());
    // commandTimeoutMs is imapflow's socket inactivity timeout; keep it longer so the greeting timeout fires.
    const plain = await timed(ImapSession.open(at(server, { commandTimeoutMs: 2_000 })));
    expect(plain.error).toMatchObject({ code: "timeout", stage: "greeting", imapflowCode: "GREETING_TIMEOUT" });
    const secure = await timed(ImapSession.open(at(server, { secure: true, doSTARTTLS: undefined })));
    expect(secure.error).toMatchObject({ code: "timeout", stage: "connect", imapflowCode: "CONNECT_TIMEOUT" });
    expect(Math.max(plain.ms, secure.ms)).toBeLessThan(2_000);
    await server.waitForNoConnections();
  });

  it("greets but never answers CAPABILITY: timeout in the capability stage", async () => {
    const server = await fault(startImapNoCapabilityServer());
    const { lines, transcript } = recorder();
    const { error, ms } = await timed(ImapSession.open(at(server, { transcript })));
    expect(error).toMatchObject({ code: "timeout", stage: "capability" });
    expect(ms).toBeLessThan(2_000);
    expect(lines).toEqual(["S: * OK IMAP4rev1 fault server ready", expect.stringMatching(/^C: \w+ CAPABILITY$/)]);
    await server.waitForNoConnections();
  });

  it("closes on connect: closed, for plain and implicit TLS", async () => {
    const server = await fault(startClosingServer());
    const plain = await timed(ImapSession.open(at(server)));
    expect(plain.error.code).toBe("closed");
    const secure = await timed(ImapSession.open(at(server, { secure: true, doSTARTTLS: undefined })));
    expect(secure.error).toMatchObject({ code: "closed", stage: "connect", nodeCode: "ECONNRESET" });
    expect(Math.max(plain.ms, secure.ms)).toBeLessThan(1_000);
  });

  it("a binary greeting is a protocol error at once (not a greeting timeout)", async () => {
    const server = await fault(startGarbageServer("binary"));
    const { error, ms } = await timed(ImapSession.open(at(server, { greetingTimeoutMs: 5_000 })));
    expect(error).toMatchObject({ code: "protocol", stage: "greeting" });
    expect(error.serverLine).toMatch(/^\\x16\\x03/);
    expect(ms).toBeLessThan(1_000);
    await server.waitForNoConnections();
  });

  it("an endless greeting line stops at the line-length limit", async () => {
    const server = await fault(startGarbageServer("long-line"));
    const { error, ms } = await timed(ImapSession.open(at(server, { maxLineLength: 8192, greetingTimeoutMs: 5_000 })));
    expect(error).toMatchObject({ code: "protocol", imapflowCode: "LineTooLarge" });
    expect(ms).toBeLessThan(1_000);
    await server.waitForNoConnections();
  });

  it.each<[TlsFault, string]>([
    ["expired", "CERT_HAS_EXPIRED"],
    ["wrong-host", "ERR_TLS_CERT_ALTNAME_INVALID"],
    ["untrusted", "UNABLE_TO_VERIFY_LEAF_SIGNATURE"],
  ])("a %s certificate: tls error %s", async (kind, nodeCode) => {
    const server = await fault(startTlsFaultServer(ca, kind));
    const { error } = await timed(ImapSession.open(at(server, { secure: true, doSTARTTLS: undefined, connectTimeoutMs: 5_000 })));
    expect(error).toMatchObject({ code: "tls", stage: "connect", nodeCode });
    if (kind === "wrong-host") {
      // The chain was trusted, so the certificate was seen before the name check failed.
      expect(error.tls?.peerCertificate?.subjectAltName).toBe("DNS:mail.example.net");
      expect(error.tls?.authorizationError).toBe(nodeCode);
    }
    await server.waitForNoConnections();
  });

  it("an AbortSignal ends a pending connect at once", async () => {
    const server = await fault(startSilentServer());
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const { error, ms } = await timed(ImapSession.open(at(server, { greetingTimeoutMs: 10_000, signal: controller.signal })));
    expect(error).toMatchObject({ code: "aborted", stage: "greeting" });
    expect(ms).toBeLessThan(1_000);
    await server.waitForNoConnections();
  });

  it("the session deadline wins over longer stage timeouts", async () => {
    const server = await fault(startImapNoCapabilityServer());
    const { error, ms } = await timed(ImapSession.open(at(server, { commandTimeoutMs: 10_000, deadlineMs: 300 })));
    expect(error).toMatchObject({ code: "timeout", stage: "capability" });
    expect(ms).toBeLessThan(1_500);
    await server.waitForNoConnections();
  });

  it("a closed port: network error with Node's code", async () => {
    const server = await startSilentServer();
    await server.stop();
    const { error } = await timed(ImapSession.open(at(server)));
    expect(error).toMatchObject({ code: "network", stage: "connect", nodeCode: "ECONNREFUSED" });
  });

  it("the certificate of a session is described from the trusted chain", async () => {
    const session = await ImapSession.open(tlsOptions({}));
    try {
      const fingerprint = session.tls?.peerCertificate?.fingerprint256;
      expect(fingerprint).toBe(new crypto.X509Certificate(session.tls!.peerCertificate!.pem).fingerprint256);
      expect(session.tls?.chain.map((c) => c.subject)).toEqual(["CN=localhost", "CN=MCF Test CA"]);
    } finally {
      await session.logout();
    }
  });
});
