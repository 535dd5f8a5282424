/**
 * The Dovecot test server itself, checked with imapflow and raw sockets (no code of ours in the
 * client path), so a failure here points at the server set-up, not at lib/mail.
 */
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import tls from "node:tls";
import { ImapFlow, type ImapFlowOptions } from "imapflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestCa } from "../support/test-ca";
import { startDovecot, type DovecotServer } from "../servers/dovecot";
import { createTestTokenSigner, type TestTokenSigner } from "../servers/dovecot-oauth";

const APP = "6f1c1c4e-0000-4000-8000-00000000a11c";
let dovecot: DovecotServer;
let signer: TestTokenSigner;

beforeAll(async () => {
  const ca = await createTestCa();
  signer = await createTestTokenSigner();
  const started = Date.now();
  dovecot = await startDovecot({
    ca,
    oauth: signer.dovecot,
    grants: [{ clientId: APP, mailbox: "alice@contoso.test" }],
    users: [{ username: "carol@contoso.test", password: "carol-pw-1" }],
    mailboxes: [
      { user: "alice@contoso.test", messages: 3 },
      { user: "carol@contoso.test", messages: 5 },
    ],
  });
  // The brief: start-up well under 5 s.
  expect(Date.now() - started).toBeLessThan(5_000);
});

afterAll(async () => {
  await dovecot?.stop();
  if (dovecot) expect(fs.existsSync(dovecot.dir)).toBe(false);
});

function imap(options: Partial<ImapFlowOptions>): ImapFlow {
  return new ImapFlow({
    host: dovecot.host,
    port: dovecot.ports.imapTls,
    secure: true,
    tls: { ca: [dovecot.caPem] },
    logger: false,
    disableAutoIdle: true,
    greetingTimeout: 5_000,
    socketTimeout: 10_000,
    ...options,
  });
}

async function examineCount(client: ImapFlow): Promise<number> {
  try {
    await client.connect();
    const mailbox = await client.mailboxOpen("INBOX", { readOnly: true });
    await client.logout();
    return mailbox.exists;
  } finally {
    client.close();
  }
}

async function loginError(client: ImapFlow): Promise<{ authenticationFailed?: boolean; serverResponseCode?: string }> {
  try {
    await client.connect();
  } catch (error) {
    return error as { authenticationFailed?: boolean; serverResponseCode?: string };
  } finally {
    client.close();
  }
  throw new Error("login unexpectedly succeeded");
}

/** A line-based raw session: send a line, collect what comes back until `until` matches. */
async function rawSession(socket: net.Socket, steps: { send?: string; until: RegExp }[]): Promise<string[]> {
  const replies: string[] = [];
  let buffer = "";
  socket.setEncoding("utf8");
  for (const step of steps) {
    if (step.send !== undefined) socket.write(step.send + "\r\n");
    replies.push(
      await new Promise<string>((resolve, reject) => {
        const check = () => {
          const match = buffer.match(step.until);
          if (!match) return;
          const end = match.index! + match[0].length;
          const reply = buffer.slice(0, end);
          buffer = buffer.slice(end);
          socket.off("data", onData);
          socket.off("error", reject);
          resolve(reply);
        };
        const onData = (chunk: string) => {
          buffer += chunk;
          check();
        };
        socket.on("data", onData);
        socket.once("error", reject);
        check();
      }),
    );
  }
  return replies;
}

describe("test Dovecot", () => {
  it("Basic over implicit TLS: LOGIN and EXAMINE INBOX show the pre-filled message count", async () => {
    expect(await examineCount(imap({ auth: { user: "carol@contoso.test", pass: "carol-pw-1" } }))).toBe(5);
    expect(dovecot.mailboxes["carol@contoso.test"]).toMatchObject({ messages: 5 });
  });

  it("Basic with a wrong password fails as an authentication failure", async () => {
    const error = await loginError(imap({ auth: { user: "carol@contoso.test", pass: "wrong" } }));
    expect(error.authenticationFailed).toBe(true);
    expect(error.serverResponseCode).toBe("AUTHENTICATIONFAILED");
  });

  it("XOAUTH2 with an app-only token opens a mailbox the app was granted", async () => {
    const token = await signer.sign({ appid: APP });
    expect(await examineCount(imap({ auth: { user: "alice@contoso.test", accessToken: token } }))).toBe(3);
  });

  it("XOAUTH2 for a mailbox the app was not granted fails", async () => {
    const token = await signer.sign({ appid: APP });
    const error = await loginError(imap({ auth: { user: "bob@contoso.test", accessToken: token } }));
    expect(error.authenticationFailed).toBe(true);
  });

  it("XOAUTH2 fails for an expired token, a wrong signature, a wrong audience, an unknown issuer and another app", async () => {
    const tokens = [
      await signer.sign({ appid: APP, expiresIn: -120 }),
      await signer.signWithWrongKey({ appid: APP }),
      await signer.sign({ appid: APP, audience: "https://graph.microsoft.com" }),
      await signer.sign({ appid: APP, issuer: "https://sts.windows.net/other-tenant/" }),
      await signer.sign({ appid: "another-app" }),
    ];
    const errors = await Promise.all(
      tokens.map((accessToken) => loginError(imap({ auth: { user: "alice@contoso.test", accessToken } }))),
    );
    for (const error of errors) expect(error.authenticationFailed).toBe(true);
    const log = dovecot.readLog();
    expect(log).toContain("Token has expired");
    expect(log).toContain("Bad signature");
    expect(log).toContain("client_id not found in aud field");
    expect(log).toContain("is not allowed");
  });

  it("the STARTTLS port refuses LOGIN before STARTTLS and accepts it afterwards", async () => {
    const socket = net.connect({ host: dovecot.host, port: dovecot.ports.imapStarttls });
    try {
      const [greeting, login] = await rawSession(socket, [
        { until: /\r\n/ },
        { send: "a1 LOGIN carol@contoso.test carol-pw-1", until: /a1 [^\r\n]*\r\n/ },
      ]);
      expect(greeting).toContain("STARTTLS");
      expect(greeting).toContain("LOGINDISABLED");
      expect(login).toMatch(/a1 NO \[PRIVACYREQUIRED\]/);
    } finally {
      socket.destroy();
    }
    const count = await examineCount(
      imap({
        port: dovecot.ports.imapStarttls,
        secure: false,
        doSTARTTLS: true,
        auth: { user: "carol@contoso.test", pass: "carol-pw-1" },
      }),
    );
    expect(count).toBe(5);
  });

  it("the POP3 STARTTLS port refuses USER before STLS", async () => {
    const socket = net.connect({ host: dovecot.host, port: dovecot.ports.pop3Starttls });
    try {
      const [greeting, capa, user] = await rawSession(socket, [
        { until: /\r\n/ },
        { send: "CAPA", until: /\r\n\.\r\n/ },
        { send: "USER carol@contoso.test", until: /\r\n/ },
      ]);
      expect(greeting).toMatch(/^\+OK/);
      expect(capa).toContain("STLS");
      expect(user).toMatch(/^-ERR .*Plaintext authentication disallowed/);
    } finally {
      socket.destroy();
    }
  });

  it("POP3 over implicit TLS: USER/PASS and STAT match the pre-filled mailbox", async () => {
    const socket = tls.connect({ host: dovecot.host, port: dovecot.ports.pop3Tls, ca: dovecot.caPem });
    try {
      const [, , pass, stat] = await rawSession(socket, [
        { until: /\r\n/ },
        { send: "USER carol@contoso.test", until: /\r\n/ },
        { send: "PASS carol-pw-1", until: /\r\n/ },
        { send: "STAT", until: /\r\n/ },
        { send: "QUIT", until: /\r\n/ },
      ]);
      expect(pass).toMatch(/^\+OK/);
      const box = dovecot.mailboxes["carol@contoso.test"]!;
      expect(stat?.trim()).toBe(`+OK ${box.messages} ${box.octets}`);
    } finally {
      socket.destroy();
    }
  });
});

describe("test Dovecot listeners", () => {
  it("listens only on its own four ports (no built-in 143/110 listener, which would be loopback-secure)", () => {
    let listing: string;
    try {
      listing = execFileSync("ss", ["-ltnpH"], { encoding: "utf8" });
    } catch {
      return; // no ss on this machine
    }
    const ports = listing
      .split("\n")
      .filter((line) => line.includes(`pid=${dovecot.masterPid},`))
      .map((line) => Number(/127\.0\.0\.1:(\d+)/.exec(line)?.[1]));
    expect(ports).toHaveLength(4);
    expect(ports).toEqual(expect.arrayContaining([dovecot.ports.imapTls, dovecot.ports.pop3Tls]));
    expect(ports).not.toContain(143);
    expect(ports).not.toContain(110);
  });
});

describe("test Dovecot clean-up", () => {
  function alive(pid: number) {
    try {
      process.kill(pid, 0);
      // A killed master whose parent is gone can linger as a zombie until init reaps it.
      return !fs.readFileSync(`/proc/${pid}/stat`, "utf8").includes(") Z ");
    } catch {
      return false;
    }
  }

  it("a Dovecot left behind by a killed test process is removed by the next start", async () => {
    // node --import tsx (not the tsx CLI, which runs the script in a child of its own): the pid
    // we kill must be the process that owns the Dovecot.
    const fixture = spawn(process.execPath, ["--import", "tsx", path.resolve("tests/servers/dovecot-orphan-fixture.ts")], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    const line = await new Promise<string>((resolve, reject) => {
      let out = "";
      fixture.stdout!.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        if (out.includes("\n")) resolve(out.trim());
      });
      fixture.once("exit", () => reject(new Error("fixture exited early")));
    });
    const orphan = JSON.parse(line) as { dir: string; masterPid: number };
    fixture.kill("SIGKILL");
    await new Promise((resolve) => fixture.once("exit", resolve));
    // Nothing cleaned up after the owner died...
    expect(alive(orphan.masterPid)).toBe(true);
    expect(fs.existsSync(orphan.dir)).toBe(true);
    // ...until the next instance starts.
    const next = await startDovecot({ ca: await createTestCa() });
    await next.stop();
    await expect.poll(() => alive(orphan.masterPid), { timeout: 2_000 }).toBe(false);
    expect(fs.existsSync(orphan.dir)).toBe(false);
  }, 30_000);
});
