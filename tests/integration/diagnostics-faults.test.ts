/**
 * runConnectionTest against servers that misbehave, and against no server at all: a server that
 * accepts and never answers, closes at once, greets with garbage; TLS with an expired, wrong-host
 * and untrusted certificate; a token endpoint answering 500 with HTML and one that never answers;
 * DNS failure, connection refused, a link-local address; cancellation and the total time limit.
 * Every case must end in the right step, with the right words, within its timeout, and leave no
 * socket open on either side.
 */
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import net from "node:net";
import tls from "node:tls";
import * as x509 from "@peculiar/x509";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { runConnectionTest } from "@/lib/diagnostics/run-test";
import type { TestEvent, TestResult, TestStep } from "@/lib/diagnostics/types";
import type { ProfileInput } from "@/lib/profiles/schema";
import { basicInput, oauthSecretInput } from "@/tests/support/profile-fixtures";
import { ALICE, CLIENT, TENANT, startMailFixture, type MailFixture } from "@/tests/support/mail-fixture";
import type { TestCa } from "@/tests/support/test-ca";
import type { DovecotServer } from "@/tests/servers/dovecot";
import {
  startBannerServer,
  startClosingServer,
  startGarbageServer,
  startImapNoCapabilityServer,
  startSilentServer,
  startTlsFaultServer,
  type FaultServer,
  type TlsFault,
} from "@/tests/servers/fault-servers";
import { openClientSockets, waitForNoClientSockets } from "@/tests/servers/fault-servers-sockets";
import type { TokenEndpoint } from "@/tests/servers/token-endpoint";

const SECRET = "Qx8~faults-secret-0123456789abcdefghijk";
const CAROL = { user: "carol@contoso.test", pass: "carol-pw-1" };
/** A marker in the lines a non-mail service sends after its first one */
const INTERNAL = "internal-status-line";

let mail: MailFixture;
let ca: TestCa;
let dovecot: DovecotServer;
let endpoint: TokenEndpoint;
let broken: TokenEndpoint;
const faults: FaultServer[] = [];

beforeAll(async () => {
  mail = await startMailFixture({
    apps: [{ clientId: CLIENT, secrets: [SECRET] }],
    grants: [{ clientId: CLIENT, mailbox: ALICE }],
    users: [{ username: CAROL.user, password: CAROL.pass }],
    mailboxes: [{ user: ALICE, messages: 1 }],
  });
  ({ ca, dovecot, tokens: endpoint } = mail);
  broken = await mail.startTokenEndpoint();
});

afterEach(async () => {
  // Nothing of ours may stay connected to any server of this file.
  const ports = [...faults.map((f) => f.port), ...Object.values(dovecot.ports)];
  await waitForNoClientSockets(ports);
  await Promise.all(faults.map((f) => f.waitForNoConnections()));
});

afterAll(async () => {
  await Promise.all([mail?.stop(), ...faults.map((f) => f.stop())]);
});

async function fault<T extends FaultServer>(server: Promise<T>): Promise<T> {
  const started = await server;
  faults.push(started);
  return started;
}

function basicProfile(
  port: number,
  security: "tls" | "starttls" | "none",
  protocol: "imap" | "pop3" = "imap",
  properties: Record<string, string> = {},
): ProfileInput {
  const profile = basicInput({ username: CAROL.user, password: CAROL.pass });
  profile.connection.protocol = protocol;
  profile.connection.mailServerUrl = "127.0.0.1";
  profile.connection.port = String(port);
  profile.connection.security = security;
  profile.connection.trustedCaPem = ca.caPem;
  profile.connection.additionalProperties = Object.entries(properties).map(([key, value]) => ({ key, value }));
  return profile;
}

function oauthProfile(tokenEndpoint: TokenEndpoint, port = dovecot.ports.imapTls, host = "127.0.0.1"): ProfileInput {
  const profile = oauthSecretInput({ host, username: ALICE, secret: SECRET });
  profile.connection.port = String(port);
  profile.connection.trustedCaPem = ca.caPem;
  profile.authentication.tokenUrl = tokenEndpoint.tokenUrl(TENANT);
  profile.authentication.tenantId = TENANT;
  profile.authentication.requestProperties = profile.authentication.requestProperties.map((r) =>
    r.key === "client_id" ? { ...r, value: CLIENT } : r,
  );
  return profile;
}

/** Runs a test and checks the common rules: it failed, at one step, named by the summary. */
async function failing(profile: ProfileInput, options: Parameters<typeof runConnectionTest>[1] = {}) {
  const started = Date.now();
  const events: TestEvent[] = [];
  const result = await runConnectionTest({ profile, secrets: {} }, { onEvent: (e) => events.push(e), ...options });
  const wall = Date.now() - started;
  expect(result.ok).toBe(false);
  const failed = result.steps.find((s) => s.status === "fail")!;
  expect(failed, JSON.stringify(result.steps, null, 2)).toBeDefined();
  expect(events.at(-1)).toMatchObject({ type: "done" });
  expect(JSON.stringify(result)).not.toContain(CAROL.pass);
  expect(JSON.stringify(result)).not.toContain(SECRET);
  return { result, failed, wall };
}

const step = (result: TestResult, id: TestStep["step"]) => result.steps.find((s) => s.step === id)!;

/** Every string anywhere in a value (a result: steps, data, transcript). */
function allStrings(value: unknown): string[] {
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.flatMap(allStrings);
  if (value && typeof value === "object") return Object.values(value).flatMap(allStrings);
  return [];
}

/** A leaf certificate signed by its own key, for 127.0.0.1 (the test CA issues CA-signed ones only). */
async function selfSignedCertificate(): Promise<{ certPem: string; keyPem: string }> {
  const alg = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);
  const keys = (await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"])) as unknown as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "0b",
    name: "CN=self-signed.mail.test",
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    keys,
    signingAlgorithm: alg,
    extensions: [new x509.SubjectAlternativeNameExtension([{ type: "ip", value: "127.0.0.1" }])],
  });
  const der = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey as unknown as webcrypto.CryptoKey));
  return {
    certPem: cert.toString("pem"),
    keyPem: `-----BEGIN PRIVATE KEY-----\n${der.toString("base64")}\n-----END PRIVATE KEY-----\n`,
  };
}

/** An implicit-TLS server with the given certificate and TLS options; greets and stays silent. */
async function tlsServer(options: tls.TlsOptions): Promise<FaultServer> {
  const sockets = new Set<net.Socket>();
  const server = tls.createServer(options, (socket) => {
    socket.on("error", () => socket.destroy());
    socket.write("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready\r\n");
    socket.resume();
  });
  server.on("connection", (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
  });
  server.on("tlsClientError", () => undefined);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as net.AddressInfo).port;
  const started: FaultServer = {
    host: "127.0.0.1",
    port,
    openConnections: () => sockets.size,
    totalConnections: () => 0,
    waitForNoConnections: async (timeoutMs = 2_000) => {
      const until = Date.now() + timeoutMs;
      while (sockets.size > 0) {
        if (Date.now() > until) throw new Error(`${sockets.size} connection(s) still open on :${port}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  faults.push(started);
  return started;
}

describe("mail servers that misbehave", () => {
  it("accepts and never answers: the greeting step times out after the read timeout (mail.imap.timeout)", async () => {
    const server = await fault(startSilentServer());
    const { result, failed, wall } = await failing(basicProfile(server.port, "none", "imap", { "mail.imap.timeout": "700" }));
    expect(failed.step).toBe("greeting");
    expect(failed.detail).toBe("The server sent no greeting within 700 ms.");
    expect(failed.cause).toMatch(/accepted the connection but stayed silent: a port that expects implicit TLS/);
    expect(failed.fix).toMatch(/mail\.imap\.timeout sets this limit/);
    expect(failed.ms).toBeGreaterThanOrEqual(650);
    expect(wall).toBeLessThan(3_000);
    expect(step(result, "tcp").status).toBe("ok");
  });

  it("accepts and never answers, POP3: the same at the POP3 greeting", async () => {
    const server = await fault(startSilentServer());
    const { failed, wall } = await failing(basicProfile(server.port, "none", "pop3", { "mail.pop3.timeout": "600" }));
    expect(failed.step).toBe("greeting");
    expect(failed.detail).toBe("The server sent no greeting within 600 ms.");
    expect(wall).toBeLessThan(3_000);
  });

  it("accepts and never answers the TLS handshake: the TLS step times out", async () => {
    const server = await fault(startSilentServer());
    const { failed, wall } = await failing(basicProfile(server.port, "tls", "imap", { "mail.imap.timeout": "600" }));
    expect(failed.step).toBe("tls");
    expect(failed.detail).toBe("No TLS handshake within 600 ms.");
    expect(failed.cause).toMatch(/probably expects plain text/);
    expect(wall).toBeLessThan(3_000);
  });

  it("closes on connect: a plain connection fails at the greeting, an implicit-TLS one at the TLS step", async () => {
    const server = await fault(startClosingServer());
    const plain = await failing(basicProfile(server.port, "none"));
    expect(plain.failed.step).toBe("greeting");
    expect(plain.failed.detail).toBe("The server closed the connection before its greeting.");
    const secure = await failing(basicProfile(server.port, "tls"));
    expect(secure.failed.step).toBe("tls");
    expect(secure.failed.detail).toBe("The server closed the connection during the TLS handshake.");
    expect(plain.wall + secure.wall).toBeLessThan(3_000);
  });

  it("a garbage greeting: not an IMAP greeting, not a POP3 greeting", async () => {
    const server = await fault(startGarbageServer("binary"));
    const imap = await failing(basicProfile(server.port, "none"));
    expect(imap.failed.step).toBe("greeting");
    expect(imap.failed.detail).toMatch(
      new RegExp(
        `^The server at 127\\.0\\.0\\.1:${server.port} did not answer like an IMAP server \\(its first line starts with "\\\\x16\\\\x03`,
      ),
    );
    expect(imap.failed.cause).toMatch(/not like an IMAP server/);
    const pop3 = await failing(basicProfile(server.port, "none", "pop3"));
    expect(pop3.failed.step).toBe("greeting");
    expect(pop3.failed.detail).toMatch(/did not answer like a POP3 server \(its first line starts with "\\x16\\x03/);
  });

  it("another service's banner (SSH, then pages of its own text and binary): only its first line, bounded and printable, reaches the result", async () => {
    const banner = Buffer.concat([
      Buffer.from(
        `SSH-2.0-OpenSSH_9.6p1 Debian-3 \x1b[31mred\x1b[0m \x1b]0;title\x07\u202eevil\u200b\x85${"x".repeat(400)}\r\n`,
        "utf8",
      ),
      Buffer.from(Array.from({ length: 300 }, (_, i) => `${INTERNAL} ${i}: db_password=hunter2\r\n`).join("")),
      Buffer.from([0x00, 0x01, 0x7f, 0x80, 0x9b, 0x32, 0x4a, 0x1b, 0x5b, 0x48, 0xff, 0xfe, 0x0d, 0x0a]),
    ]);
    const server = await fault(startBannerServer(banner));
    for (const protocol of ["imap", "pop3"] as const) {
      const { result, failed } = await failing(basicProfile(server.port, "none", protocol));
      const name = protocol === "imap" ? "an IMAP" : "a POP3";
      expect(failed.step).toBe("greeting");
      expect(failed.detail).toMatch(
        new RegExp(
          `^The server at 127\\.0\\.0\\.1:${server.port} did not answer like ${name} server \\(its first line starts with "SSH-2\\.0-OpenSSH_9\\.6p1 Debian-3 red [^"]{150,}…"\\): check the host and port\\.$`,
        ),
      );
      expect(failed.detail.length).toBeLessThan(340);
      expect(failed.cause).toMatch(/^It looks like an SSH server\./);
      expect(failed.data?.firstLine).toEqual(expect.stringMatching(/^SSH-2\.0-.{190,200}…$/));
      // Nothing past the first line, no escape sequence, no control or invisible character anywhere in the result.
      const texts = allStrings(result);
      expect(texts.filter((t) => t.includes(INTERNAL) || t.includes("hunter2"))).toEqual([]);
      expect(texts.filter((t) => /[\x00-\x08\x0b-\x1f\x7f-\x9f\u202e\u200b]/.test(t))).toEqual([]);
      const fromServer = result.transcript.filter((l) => l.direction === "S");
      expect(fromServer).toHaveLength(1);
      expect(fromServer[0]!.text.length).toBeLessThanOrEqual(201);
      expect(result.transcript.map((l) => l.text)).toContain(
        `Only the first line from the server is kept: it did not greet like ${name} server.`,
      );
    }
  });

  it("a greeting that never ends (1 MiB without a line break) is cut by the line limit", async () => {
    const server = await fault(startGarbageServer("long-line"));
    const { failed, wall } = await failing(basicProfile(server.port, "none", "pop3"));
    expect(failed.step).toBe("greeting");
    expect(wall).toBeLessThan(3_000);
  });
});

describe("TLS certificates", () => {
  const cases: [TlsFault, RegExp, RegExp, RegExp][] = [
    ["expired", /^The server's certificate expired on \d{4}-\d\d-\d\d\.$/, /expired on/, /must renew the certificate/],
    [
      "wrong-host",
      /^The certificate is for DNS:mail\.example\.net, not for 127\.0\.0\.1\.$/,
      /valid certificate for another name/,
      /Use the host name the certificate names/,
    ],
    [
      "untrusted",
      /^The server's certificate is not issued by a trusted certificate authority \(UNABLE_TO_VERIFY_LEAF_SIGNATURE\)\.$/,
      /issued by "Untrusted Test CA"/,
      /Trusted CA certificates/,
    ],
  ];
  for (const [kind, detail, cause, fix] of cases) {
    it(`${kind}: the TLS step fails with its own cause and fix, before anything is sent`, async () => {
      const server = await fault(startTlsFaultServer(ca, kind));
      const { result, failed } = await failing(basicProfile(server.port, "tls"));
      expect(failed.step).toBe("tls");
      expect(failed.detail).toMatch(detail);
      expect(failed.cause).toMatch(cause);
      expect(failed.fix).toMatch(fix);
      expect(failed.data).toMatchObject({
        protocol: expect.stringMatching(/^TLSv1/),
        verification: expect.stringMatching(/^refused/),
      });
      expect(step(result, "greeting")).toMatchObject({ status: "skipped", detail: "Not run: the TLS handshake step failed." });
      expect(result.transcript.filter((l) => l.channel === "imap")).toEqual([]);
    });
  }

  it("self-signed: told apart from an unknown CA, with the same trust fix", async () => {
    const selfSigned = await selfSignedCertificate();
    const server = await tlsServer({ cert: selfSigned.certPem, key: selfSigned.keyPem });
    const { failed } = await failing(basicProfile(server.port, "tls"));
    expect(failed.step).toBe("tls");
    expect(failed.detail).toBe("The server presented a self-signed certificate (self-signed.mail.test).");
    expect(failed.cause).toMatch(/DEPTH_ZERO_SELF_SIGNED_CERT/);
    expect(failed.fix).toMatch(/Trusted CA certificates/);
  });

  it("no TLS version in common (the server offers TLS 1.2 only, ssl.protocols allows TLS 1.3 only): a handshake failure", async () => {
    const issued = await ca.issue({ hosts: ["localhost"], ips: ["127.0.0.1"] });
    const server = await tlsServer({ cert: issued.certPem, key: issued.keyPem, maxVersion: "TLSv1.2" });
    const { failed } = await failing(basicProfile(server.port, "tls", "imap", { "mail.imap.ssl.protocols": "TLSv1.3" }));
    expect(failed.step).toBe("tls");
    expect(failed.detail).toMatch(/^No TLS version in common with the server \(ERR_SSL_/);
    expect(failed.fix).toMatch(/mail\.imap\.ssl\.protocols/);
  });

  it("implicit TLS against a plain-text IMAP port: the server does not answer with TLS", async () => {
    const server = await fault(startImapNoCapabilityServer());
    const { failed } = await failing(basicProfile(server.port, "tls"));
    expect(failed.step).toBe("tls");
    expect(failed.detail).toMatch(/^The server did not answer with TLS \(ERR_SSL_/);
    expect(failed.cause).toMatch(/probably expects plain text and STARTTLS/);
  });

  it("a CA trusted for this run only (extraCaPem, the CLI's --ca-file) makes an untrusted server trusted", async () => {
    const profile = oauthProfile(endpoint);
    profile.connection.trustedCaPem = "";
    profile.authentication.type = "basic";
    profile.authentication.username = CAROL.user;
    profile.authentication.password = CAROL.pass;
    const without = await failing(profile);
    expect(without.failed.step).toBe("tls");
    expect(without.failed.detail).toMatch(/not issued by a trusted certificate authority/);
    const withCa = await runConnectionTest({ profile, secrets: {}, extraCaPem: ca.caPem });
    expect(withCa.ok, JSON.stringify(withCa.steps, null, 2)).toBe(true);
  });

  it("ssl.checkserveridentity=false accepts the wrong-host certificate with a warning; ssl.trust listing other hosts refuses", async () => {
    const server = await fault(startTlsFaultServer(ca, "wrong-host"));
    const relaxed = await runConnectionTest({
      profile: basicProfile(server.port, "tls", "imap", {
        "mail.imap.ssl.checkserveridentity": "false",
        "mail.imap.timeout": "500",
      }),
      secrets: {},
    });
    expect(step(relaxed, "tls")).toMatchObject({ status: "warn" });
    expect(step(relaxed, "tls").detail).toMatch(/accepted, but certificate issued for another host/);
    const listed = await failing(basicProfile(server.port, "tls", "imap", { "mail.imap.ssl.trust": "mail.example.net" }));
    expect(listed.failed.step).toBe("tls");
    expect(listed.failed.detail).toBe("127.0.0.1 is not in mail.imap.ssl.trust.");
  });
});

describe("token endpoint failures", () => {
  it("500 with an HTML page: the token step fails after its one retry; the mail side stops before the login", async () => {
    broken.setFault({ respond500Html: Infinity });
    const { result, failed, wall } = await failing(oauthProfile(broken));
    broken.setFault(null);
    expect(failed.step).toBe("token");
    expect(failed.detail).toBe("Token endpoint server error (HTTP 500).");
    expect(failed.cause).toMatch(/HTML page instead of a token, also when retried/);
    expect(failed.data).toMatchObject({ httpStatus: 500, attempts: 2 });
    expect(step(result, "greeting").status).toBe("ok");
    expect(step(result, "authenticate")).toMatchObject({ status: "skipped", detail: "Not run: the Access token step failed." });
    expect(wall).toBeLessThan(5_000);
  });

  it("never answers: the token step times out after its budget", async () => {
    broken.setFault({ hang: true });
    const { result, failed, wall } = await failing(oauthProfile(broken), { stepTimeoutMs: { token: 1_000 } });
    broken.setFault(null);
    expect(failed.step).toBe("token");
    expect(failed.detail).toMatch(/^No answer within 1 s\.$/);
    expect(failed.cause).toMatch(/did not answer within 1 s/);
    expect(step(result, "greeting").status).toBe("ok");
    expect(wall).toBeLessThan(3_000);
  });
});

describe("no server at all", () => {
  it("DNS failure: a .invalid host is not found", async () => {
    const profile = basicProfile(143, "none");
    profile.connection.mailServerUrl = "mail.does-not-exist.invalid";
    const dns = await failing(profile);
    expect(dns.failed.step).toBe("dns");
    expect(dns.failed.detail).toMatch(
      /^The host name mail\.does-not-exist\.invalid was not found \((ENOTFOUND|EAI_AGAIN)\)\.$|^The DNS lookup of mail\.does-not-exist\.invalid failed temporarily/,
    );
    expect(step(dns.result, "tcp")).toMatchObject({ status: "skipped", detail: "Not run: the DNS lookup step failed." });
    expect(dns.wall).toBeLessThan(6_000);
  });

  it("connection refused", async () => {
    const port = await new Promise<number>((resolve) => {
      const probe = net.createServer().listen(0, "127.0.0.1", () => {
        const free = (probe.address() as net.AddressInfo).port;
        probe.close(() => resolve(free));
      });
    });
    const { failed, wall } = await failing(basicProfile(port, "tls"));
    expect(failed.step).toBe("tcp");
    expect(failed.detail).toBe(`Connection refused by 127.0.0.1:${port}.`);
    expect(failed.fix).toMatch(/IMAP: 993 with Security TLS, 143 with STARTTLS/);
    expect(wall).toBeLessThan(2_000);
  });

  it("a link-local (cloud metadata) address is refused without connecting", async () => {
    const profile = basicProfile(993, "tls");
    profile.connection.mailServerUrl = "169.254.169.254";
    const { failed } = await failing(profile);
    expect(failed.step).toBe("dns");
    expect(failed.detail).toBe("169.254.169.254 is a link-local/cloud-metadata address this console does not connect to.");
    expect(failed.cause).toMatch(/instance-metadata service/);
    expect(failed.fix).toMatch(/^Ask the operator to allow it with MCF_OUTBOUND_ALLOW, or correct the host/);
  });
});

describe("cancel and the total limit", () => {
  it("cancellation via AbortSignal stops the running step and closes the connection", async () => {
    const server = await fault(startSilentServer());
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const { result, failed, wall } = await failing(basicProfile(server.port, "none"), { signal: controller.signal });
    expect(failed.step).toBe("greeting");
    expect(failed.detail).toMatch(/^Cancelled after \d+ ms\.$/);
    expect(result.summary).toMatch(/^Cancelled after \d+ ms during Greeting and capabilities\.$/);
    expect(step(result, "authenticate")).toMatchObject({ status: "skipped", detail: "Not run: the test was cancelled." });
    expect(wall).toBeLessThan(1_500);
    expect(openClientSockets([server.port])).toBe(0);
  });

  it("the total time limit ends a test whose steps are each within their own budget", async () => {
    const server = await fault(startSilentServer());
    const { result, failed, wall } = await failing(basicProfile(server.port, "none"), { timeoutMs: 800 });
    expect(failed.step).toBe("greeting");
    expect(failed.detail).toBe("Stopped: the whole test may take at most 800 ms.");
    expect(result.summary).toBe("Stopped: the test did not finish within its 800 ms limit during Greeting and capabilities.");
    expect(wall).toBeGreaterThanOrEqual(750);
    expect(wall).toBeLessThan(2_000);
  });

  it("the total limit also stops a token request that is still waiting, and the waiting mail connection", async () => {
    broken.setFault({ hang: true });
    const { result, wall } = await failing(oauthProfile(broken), { timeoutMs: 1_000 });
    broken.setFault(null);
    expect(step(result, "token")).toMatchObject({ status: "fail", detail: "Stopped: the whole test may take at most 1 s." });
    expect(step(result, "greeting").status).toBe("ok");
    expect(step(result, "authenticate")).toMatchObject({
      status: "skipped",
      detail: "Not run: the test reached its time limit.",
    });
    expect(wall).toBeLessThan(2_500);
  });
});
