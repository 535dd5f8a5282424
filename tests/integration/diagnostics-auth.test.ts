/**
 * runConnectionTest when the login cannot work: a wrong password, a token for a mailbox the app was
 * not granted (the Exchange checklist), a token without the IMAP.AccessAsApp role (claims step), a
 * wrong client secret (AADSTS7000215 at the token step), LOGINDISABLED and POP3's plain-text refusal
 * before TLS, and the Exchange Online answers "NO AUTHENTICATE failed." and "BAD User is
 * authenticated but not connected." from a scripted Exchange-like server behind TLS. Each ends in
 * the right step with the right words, and leaves no socket open.
 */
import net from "node:net";
import tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runConnectionTest } from "@/lib/diagnostics/run-test";
import type { TestResult, TestStep, TestSubject } from "@/lib/diagnostics/types";
import type { ProfileInput } from "@/lib/profiles/schema";
import { basicInput, oauthSecretInput } from "@/tests/support/profile-fixtures";
import { ALICE, CLIENT, TENANT, startMailFixture, type MailFixture } from "@/tests/support/mail-fixture";
import type { TestCa } from "@/tests/support/test-ca";
import type { DovecotServer } from "@/tests/servers/dovecot";
import { startExchangeLikeImapServer, type ExchangeLikeMode, type FaultServer } from "@/tests/servers/fault-servers";
import { waitForNoClientSockets } from "@/tests/servers/fault-servers-sockets";
import type { TokenEndpoint } from "@/tests/servers/token-endpoint";

const NO_ROLE_CLIENT = "5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d";
const SECRET = "Qx8~auth-secret-0123456789abcdefghijklm";
const NO_ROLE_SECRET = "Zr2~no-role-secret-0123456789abcdefghi";
const BOB = "bob@contoso.test";
const CAROL = { user: "carol@contoso.test", pass: "carol-pw-1" };

let mail: MailFixture;
let ca: TestCa;
let dovecot: DovecotServer;
let endpoint: TokenEndpoint;
const stops: (() => Promise<void>)[] = [];
const results: TestResult[] = [];

beforeAll(async () => {
  mail = await startMailFixture({
    apps: [
      { clientId: CLIENT, secrets: [SECRET] },
      // permission added but never consented: Entra issues a token without the roles claim
      { clientId: NO_ROLE_CLIENT, secrets: [NO_ROLE_SECRET], roles: [] },
    ],
    grants: [
      { clientId: CLIENT, mailbox: ALICE },
      { clientId: NO_ROLE_CLIENT, mailbox: ALICE },
    ],
    users: [{ username: CAROL.user, password: CAROL.pass }],
    mailboxes: [{ user: ALICE, messages: 2 }],
  });
  ({ ca, dovecot, tokens: endpoint } = mail);
});

afterAll(async () => {
  await Promise.all([mail?.stop(), ...stops.map((stop) => stop())]);
  const json = JSON.stringify(results);
  for (const secret of [SECRET, NO_ROLE_SECRET, CAROL.pass, "wrong-password-123"]) expect(json).not.toContain(secret);
  expect(json).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ/);
});

function oauthProfile(
  protocol: "imap" | "pop3",
  port: number,
  options: { user?: string; client?: string; secret?: string; host?: string } = {},
): ProfileInput {
  const profile = oauthSecretInput({
    host: options.host ?? "127.0.0.1",
    username: options.user ?? ALICE,
    secret: options.secret ?? SECRET,
  });
  profile.connection.protocol = protocol;
  profile.connection.port = String(port);
  profile.connection.trustedCaPem = ca.caPem;
  profile.authentication.tokenUrl = endpoint.tokenUrl(TENANT);
  profile.authentication.tenantId = TENANT;
  profile.authentication.requestProperties = profile.authentication.requestProperties.map((r) =>
    r.key === "client_id" ? { ...r, value: options.client ?? CLIENT } : r,
  );
  return profile;
}

function basicProfile(
  protocol: "imap" | "pop3",
  port: number,
  security: "tls" | "starttls" | "none",
  password = CAROL.pass,
): ProfileInput {
  const profile = basicInput({ username: CAROL.user, password });
  profile.connection.protocol = protocol;
  profile.connection.mailServerUrl = "127.0.0.1";
  profile.connection.port = String(port);
  profile.connection.security = security;
  profile.connection.trustedCaPem = ca.caPem;
  return profile;
}

async function run(profile: ProfileInput, extra: Partial<TestSubject> = {}) {
  const result = await runConnectionTest({ profile, secrets: {}, ...extra });
  results.push(result);
  return result;
}

const step = (result: TestResult, id: TestStep["step"]) => result.steps.find((s) => s.step === id)!;

/** The failing step: the first in order, and the one the summary names. */
function failure(result: TestResult): TestStep {
  expect(result.ok).toBe(false);
  const failed = result.steps.find((s) => s.status === "fail")!;
  expect(result.summary).toBe(`${failed.title} failed: ${failed.detail}`);
  return failed;
}

/** A TLS front for a plain scripted server, so an OAuth2 profile (TLS only) can reach it. */
async function tlsFront(backend: { port: number; stop(): Promise<void> }): Promise<number> {
  const issued = await ca.issue({ hosts: ["localhost"], ips: ["127.0.0.1"] });
  const front = tls.createServer({ cert: issued.certPem, key: issued.keyPem }, (client) => {
    const upstream = net.connect({ host: "127.0.0.1", port: backend.port });
    client.pipe(upstream).pipe(client);
    const close = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", close);
    upstream.on("error", close);
    client.on("close", close);
    upstream.on("close", close);
  });
  front.on("tlsClientError", () => undefined);
  await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
  stops.push(async () => {
    await new Promise<void>((resolve) => front.close(() => resolve()));
    await backend.stop();
  });
  return (front.address() as net.AddressInfo).port;
}

async function exchangeLike(mode: ExchangeLikeMode): Promise<FaultServer & { port: number; received: string[] }> {
  const backend = await startExchangeLikeImapServer(mode);
  return { ...backend, port: await tlsFront(backend) };
}

/** An IMAP server that offers only password logins (no AUTH=XOAUTH2). */
async function passwordOnlyImap(): Promise<{ port: number; backend: net.Server }> {
  const sockets = new Set<net.Socket>();
  const backend = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    socket.write("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=LOGIN] Password-only server ready\r\n");
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      for (const line of chunk.split("\r\n").filter(Boolean)) {
        const tag = line.split(" ")[0];
        if (/ LOGOUT$/i.test(line)) {
          socket.write(`* BYE bye\r\n${tag} OK LOGOUT completed\r\n`);
          socket.end();
        } else socket.write(`${tag} BAD not here\r\n`);
      }
    });
  });
  await new Promise<void>((resolve) => backend.listen(0, "127.0.0.1", resolve));
  const port = await tlsFront({
    port: (backend.address() as net.AddressInfo).port,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        backend.close(() => resolve());
      }),
  });
  return { port, backend };
}

describe("authentication failures", () => {
  it("a wrong password: the authenticate step fails with the server's [AUTHENTICATIONFAILED] answer", async () => {
    const started = Date.now();
    const result = await run(basicProfile("imap", dovecot.ports.imapTls, "tls", "wrong-password-123"));
    const failed = failure(result);
    expect(failed.step).toBe("authenticate");
    expect(failed.detail).toMatch(
      /^The server refused the user name or password for carol@contoso\.test \(.*NO \[AUTHENTICATIONFAILED\] Authentication failed\.\)\.$/,
    );
    expect(failed.cause).toMatch(/user name or password is wrong/);
    expect(failed.fix).toMatch(/Check the Username and Password/);
    expect(failed.data).toMatchObject({ responseCode: "AUTHENTICATIONFAILED" });
    expect(step(result, "mailbox")).toMatchObject({ status: "skipped", detail: "Not run: the Authentication step failed." });
    expect(Date.now() - started).toBeLessThan(5_000);
    await waitForNoClientSockets([dovecot.ports.imapTls]);
  });

  it("a token for a mailbox the app was not granted: Dovecot's XOAUTH2 error and the Exchange checklist", async () => {
    const result = await run(oauthProfile("imap", dovecot.ports.imapTls, { user: BOB }));
    expect(step(result, "token").status).toBe("ok");
    expect(step(result, "claims").status).toBe("ok");
    const failed = failure(result);
    expect(failed.step).toBe("authenticate");
    expect(failed.detail).toMatch(/^The server refused the token for bob@contoso\.test \(/);
    expect(failed.cause).toMatch(/would not let the app open bob@contoso\.test\. The server's XOAUTH2 error: status 401/);
    expect(failed.fix).toMatch(/New-ServicePrincipal -AppId 6731de76-14a6-49ae-97bc-6eba6914391e -ObjectId <object id>/);
    expect(failed.fix).toMatch(/ENTERPRISE APPLICATION/);
    expect(failed.fix).toMatch(/Add-MailboxPermission -Identity bob@contoso\.test .*FullAccess/);
    expect(failed.fix).toMatch(/Set-CASMailbox -Identity bob@contoso\.test -ImapEnabled \$true/);
    expect(failed.fix).toMatch(/up to an hour/);
    expect(failed.data?.xoauth2Error).toMatch(/"status":"401"/);
    await waitForNoClientSockets([dovecot.ports.imapTls]);
  });

  it("POP3: a token for a mailbox not granted fails the two-step AUTH XOAUTH2 with the checklist", async () => {
    const result = await run(oauthProfile("pop3", dovecot.ports.pop3Tls, { user: BOB }));
    const failed = failure(result);
    expect(failed.step).toBe("authenticate");
    expect(failed.detail).toMatch(/^The server refused the token for bob@contoso\.test \(-ERR /);
    expect(failed.fix).toMatch(/-PopEnabled \$true/);
    await waitForNoClientSockets([dovecot.ports.pop3Tls]);
  });

  it("a token without the IMAP.AccessAsApp role: the claims step fails, the login is not tried", async () => {
    const result = await run(oauthProfile("imap", dovecot.ports.imapTls, { client: NO_ROLE_CLIENT, secret: NO_ROLE_SECRET }));
    const failed = failure(result);
    expect(failed.step).toBe("claims");
    expect(failed.detail).toBe("Admin consent / application permission missing.");
    expect(failed.cause).toMatch(/the token carries no roles/);
    expect(failed.fix).toMatch(/Grant admin consent/);
    expect(step(result, "greeting").status).toBe("ok");
    expect(step(result, "authenticate")).toMatchObject({ status: "skipped", detail: "Not run: the Token claims step failed." });
    expect(result.transcript.some((l) => /AUTHENTICATE/.test(l.text))).toBe(false);
    await waitForNoClientSockets([dovecot.ports.imapTls]);
  });

  it("a wrong client secret: AADSTS7000215 at the token step, with Microsoft's ids and the lookup link kept", async () => {
    const result = await run(oauthProfile("imap", dovecot.ports.imapTls, { secret: "Wr0ng~secret-value-that-is-not-right-00" }));
    const failed = failure(result);
    expect(failed.step).toBe("token");
    expect(failed.detail).toBe("Wrong client secret (AADSTS7000215).");
    expect(failed.cause).toMatch(/client secret/i);
    expect(failed.fix).toMatch(/Value/);
    expect(failed.data).toMatchObject({
      httpStatus: 401,
      error: "invalid_client",
      aadsts: ["AADSTS7000215"],
      traceId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      correlationId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      lookupUrl: "https://login.microsoftonline.com/error?code=7000215",
    });
    expect(step(result, "claims")).toMatchObject({ status: "skipped", detail: "Not run: the Access token step failed." });
    expect(step(result, "authenticate").status).toBe("skipped");
    expect(JSON.stringify(result)).not.toContain("Wr0ng~secret-value-that-is-not-right-00");
    await waitForNoClientSockets([dovecot.ports.imapTls]);
  });

  it("LOGINDISABLED: a password over a plain connection to a server that wants STARTTLS first", async () => {
    const result = await run(basicProfile("imap", dovecot.ports.imapStarttls, "none"));
    const failed = failure(result);
    expect(failed.step).toBe("authenticate");
    expect(failed.detail).toBe("The server does not accept a password before TLS (LOGINDISABLED).");
    expect(failed.fix).toMatch(/Choose Security STARTTLS \(port 143\) or TLS \(port 993\)/);
    expect(result.transcript.some((l) => / LOGIN /.test(l.text))).toBe(false);
    await waitForNoClientSockets([dovecot.ports.imapStarttls]);
  });

  it("POP3: USER/PASS over a plain connection to a server that wants STLS first", async () => {
    const result = await run(basicProfile("pop3", dovecot.ports.pop3Starttls, "none"));
    const failed = failure(result);
    expect(failed.step).toBe("authenticate");
    expect(failed.detail).toBe("The server offers no password login before TLS.");
    expect(failed.cause).toMatch(/The password was not sent/);
    expect(result.transcript.some((l) => /^(USER|PASS) /.test(l.text))).toBe(false);
    await waitForNoClientSockets([dovecot.ports.pop3Starttls]);
  });
});

describe("Exchange Online's answers", () => {
  it('"NO AUTHENTICATE failed." after XOAUTH2 with SASL-IR: the Exchange checklist', async () => {
    const server = await exchangeLike("auth-failed");
    const result = await run(oauthProfile("imap", server.port, { host: "127.0.0.1" }));
    const failed = failure(result);
    expect(failed.step).toBe("authenticate");
    expect(failed.detail).toMatch(/^The server refused the token for alice@contoso\.test \(\S+ NO AUTHENTICATE failed\.\)\.$/);
    expect(failed.fix).toMatch(/^Check the Exchange Online set-up for alice@contoso\.test/);
    // SASL-IR: the payload rode on the AUTHENTICATE line, and it is a valid XOAUTH2 string.
    const line = server.received.find((l) => / AUTHENTICATE XOAUTH2 /.test(l))!;
    const payload = line.split(" ")[3]!;
    const sasl = Buffer.from(payload, "base64").toString();
    expect(sasl).toMatch(/^user=alice@contoso\.test\x01auth=Bearer eyJ.+\x01\x01$/);
    // The access token and the SASL payload that carried it appear nowhere in the result.
    const accessToken = /auth=Bearer ([^\x01]+)/.exec(sasl)![1]!;
    expect(JSON.stringify(result)).not.toContain(accessToken);
    expect(JSON.stringify(result)).not.toContain(accessToken.split(".")[2]!);
    expect(JSON.stringify(result)).not.toContain(payload);
    await server.waitForNoConnections();
  });

  it("XOAUTH2 not offered: the greeting step fails before a token is sent", async () => {
    const { port } = await passwordOnlyImap();
    const result = await run(oauthProfile("imap", port));
    const failed = failure(result);
    expect(failed.step).toBe("greeting");
    expect(failed.detail).toBe("The server does not offer XOAUTH2.");
    expect(failed.cause).toMatch(/AUTH=XOAUTH2 is not among the server's capabilities \(IMAP4rev1 AUTH=PLAIN AUTH=LOGIN\)/);
    expect(step(result, "token").status).toBe("ok");
    expect(step(result, "authenticate")).toMatchObject({
      status: "skipped",
      detail: "Not run: the Greeting and capabilities step failed.",
    });
    expect(result.transcript.some((l) => /AUTHENTICATE/.test(l.text))).toBe(false);
  });

  it('"BAD User is authenticated but not connected.": logged in, but the mailbox step fails', async () => {
    const server = await exchangeLike("not-connected");
    const result = await run(oauthProfile("imap", server.port));
    expect(step(result, "authenticate").status).toBe("ok");
    const failed = failure(result);
    expect(failed.step).toBe("mailbox");
    expect(failed.detail).toMatch(/^Logged in, but the mailbox cannot be opened/);
    expect(failed.cause).toMatch(/User is authenticated but not connected/);
    expect(failed.fix).toMatch(/Add-MailboxPermission/);
    await server.waitForNoConnections();
  });
});
