/**
 * Scripted misbehaving servers on 127.0.0.1 (random ports), one failure mode each, for the
 * typed-error tests of the IMAP and POP3 clients. Every server counts its connections, so a test
 * can check that the client closed its socket, and stop() destroys whatever is left.
 */
import net from "node:net";
import tls from "node:tls";
import { createTestCa, type TestCa } from "../support/test-ca";

export interface FaultServer {
  /** 127.0.0.1 unless the server was asked for another loopback address */
  host: string;
  port: number;
  /** TCP connections currently open (server side) */
  openConnections(): number;
  /** TCP connections accepted since start */
  totalConnections(): number;
  /** resolves once no connection is open, or rejects after `timeoutMs` */
  waitForNoConnections(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

export type FaultProtocol = "imap" | "pop3";

const GREETINGS: Record<FaultProtocol, string> = {
  imap: "* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR] Fault server ready\r\n",
  pop3: "+OK Fault server ready\r\n",
};

async function listen(
  server: net.Server,
  tracked: Set<net.Socket>,
  counter: { total: number },
  host = "127.0.0.1",
  port = 0,
): Promise<FaultServer> {
  // 'connection' fires for the raw TCP socket on both net and tls servers, before any handshake.
  server.on("connection", (socket: net.Socket) => {
    counter.total++;
    tracked.add(socket);
    socket.on("close", () => tracked.delete(socket));
    // A client that resets the connection must not crash the test process.
    socket.on("error", () => socket.destroy());
  });
  // Handshake failures (the client rejecting our certificate) are expected here.
  server.on("tlsClientError", () => undefined);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const bound = (server.address() as net.AddressInfo).port;
  return {
    host,
    port: bound,
    openConnections: () => tracked.size,
    totalConnections: () => counter.total,
    waitForNoConnections: async (timeoutMs = 2_000) => {
      const until = Date.now() + timeoutMs;
      while (tracked.size > 0) {
        if (Date.now() > until) throw new Error(`${tracked.size} connection(s) still open on fault server :${bound}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of tracked) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function plainServer(
  onConnection: (socket: net.Socket) => void,
  at: { host?: string; port?: number } = {},
): Promise<FaultServer> {
  const tracked = new Set<net.Socket>();
  return listen(
    net.createServer((socket) => {
      // Read (and drop) whatever the client sends: a socket nobody reads never sees the client's
      // FIN, and would stay open after the client has long closed its side.
      socket.resume();
      onConnection(socket);
    }),
    tracked,
    { total: 0 },
    at.host,
    at.port,
  );
}

/**
 * Accepts the TCP connection and never sends a byte (works for plain and implicit-TLS clients alike).
 * `host` may be another loopback address (127.0.0.2: Linux routes all of 127/8 to lo) and `port`
 * a port already used on 127.0.0.1: the target of a rebinding DNS answer, which must never be
 * connected to.
 */
export function startSilentServer(options: { host?: string; port?: number } = {}): Promise<FaultServer> {
  return plainServer(() => undefined, options);
}

/**
 * Another internal service on the port a Test was pointed at (an SSH daemon, a database, a
 * status page): sends `banner` as soon as a client connects, before the client says anything, then
 * reads and ignores whatever comes.
 */
export function startBannerServer(banner: Buffer | string): Promise<FaultServer> {
  return plainServer((socket) => {
    socket.write(banner);
  });
}

/** Closes every connection as soon as it is accepted. */
export function startClosingServer(): Promise<FaultServer> {
  return plainServer((socket) => socket.destroy());
}

/**
 * A greeting no mail client can accept: "binary" sends random-looking bytes and a line break
 * (the protocol check must reject it); "long-line" streams `length` bytes without any line
 * break (the line-length limit must stop it), then stays silent.
 */
export function startGarbageServer(kind: "binary" | "long-line", options: { length?: number } = {}): Promise<FaultServer> {
  return plainServer((socket) => {
    if (kind === "binary") {
      socket.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0xff, 0x00, 0x9c, 0xfe, 0x80, 0x1b, 0x5b, 0x32, 0x4a, 0x0d, 0x0a]));
    } else {
      socket.write(Buffer.alloc(options.length ?? 1024 * 1024, "A"));
    }
  });
}

/**
 * Greets like an IMAP server, then never answers anything. The greeting carries no capability
 * list, so the client has to ask with CAPABILITY (and waits for the answer in vain).
 */
export function startImapNoCapabilityServer(): Promise<FaultServer> {
  return plainServer((socket) => {
    socket.write("* OK IMAP4rev1 fault server ready\r\n");
  });
}

export type ExchangeLikeMode = "ok" | "auth-failed" | "not-connected";

/**
 * A scripted plain-text IMAP server that answers the way Exchange Online does (docs/MICROSOFT.md#imap
 * and #exchange-answers): XOAUTH2 with SASL-IR, `NO AUTHENTICATE failed.` without an error
 * challenge, or a login that "succeeds" after which every mailbox command gets
 * `BAD User is authenticated but not connected.` and the connection is closed.
 * `received` keeps the client's lines (SASL payloads included) so tests can decode them.
 */
export async function startExchangeLikeImapServer(mode: ExchangeLikeMode): Promise<FaultServer & { received: string[] }> {
  const received: string[] = [];
  const capabilities =
    "IMAP4 IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR UIDPLUS MOVE ID UNSELECT CHILDREN IDLE NAMESPACE LITERAL+";
  const server = await plainServer((socket) => {
    let buffer = "";
    let authenticated = false;
    let pendingAuthTag: string | null = null;
    const reply = (text: string) => socket.write(text + "\r\n");
    const finishAuth = (tag: string) => {
      if (mode === "auth-failed") return reply(`${tag} NO AUTHENTICATE failed.`);
      authenticated = true;
      reply(`${tag} OK AUTHENTICATE completed.`);
    };
    reply(
      "* OK The Microsoft Exchange IMAP4 service is ready. [TQBXADIAUABSADAANgBDAEEAMAAwADAAMgAuAG4AYQBtAHAAcgBkADAANgAuAHAAcgBvAGQA]",
    );
    socket.setEncoding("utf8");
    socket.on("data", (chunk: string) => {
      buffer += chunk;
      let newline: number;
      while ((newline = buffer.indexOf("\r\n")) !== -1) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 2);
        received.push(line);
        if (pendingAuthTag) {
          const tag = pendingAuthTag;
          pendingAuthTag = null;
          finishAuth(tag);
          continue;
        }
        const [tag = "*", rawCommand = "", ...args] = line.split(" ");
        const command = rawCommand.toUpperCase();
        if (command === "CAPABILITY") {
          reply(`* CAPABILITY ${capabilities}`);
          reply(`${tag} OK CAPABILITY completed.`);
        } else if (command === "ID") {
          reply('* ID ("name" "Microsoft.Exchange.Imap4.Imap4Server" "version" "15.20")');
          reply(`${tag} OK ID completed.`);
        } else if (command === "AUTHENTICATE") {
          if (args.length > 1) finishAuth(tag);
          else {
            pendingAuthTag = tag;
            reply("+ ");
          }
        } else if (command === "LOGOUT") {
          reply("* BYE Microsoft Exchange Server IMAP4 server signing off.");
          reply(`${tag} OK LOGOUT completed.`);
          socket.end();
        } else if (authenticated && mode === "not-connected") {
          reply(`${tag} BAD User is authenticated but not connected.`);
          reply("* BYE Connection closed. 14");
          socket.end();
        } else if (command === "NAMESPACE") {
          reply('* NAMESPACE (("" "/")) NIL NIL');
          reply(`${tag} OK NAMESPACE completed.`);
        } else if (command === "LIST") {
          reply('* LIST (\\Marked \\HasNoChildren) "/" INBOX');
          reply(`${tag} OK LIST completed.`);
        } else if (command === "EXAMINE" || command === "SELECT") {
          reply("* 7 EXISTS");
          reply("* 0 RECENT");
          reply("* FLAGS (\\Seen \\Answered \\Flagged \\Deleted \\Draft $MDNSent)");
          reply("* OK [PERMANENTFLAGS ()] Permanent flags");
          reply("* OK [UIDVALIDITY 14] UIDVALIDITY value");
          reply("* OK [UIDNEXT 8] The next unique identifier value");
          reply(`${tag} OK [READ-ONLY] EXAMINE completed.`);
        } else {
          reply(`${tag} BAD Command Error. 12`);
        }
      }
    });
  });
  return { ...server, received };
}

export type TlsFault = "expired" | "wrong-host" | "untrusted";

/**
 * Implicit-TLS servers whose certificate a client trusting only `ca` must reject: expired (from
 * `ca`), issued for another host (from `ca`), or issued by a different, untrusted CA. A client that
 * accepts the certificate anyway (rejectUnauthorized: false) gets a greeting and then silence.
 */
export async function startTlsFaultServer(
  ca: TestCa,
  fault: TlsFault,
  options: { protocol?: FaultProtocol } = {},
): Promise<FaultServer & { certPem: string }> {
  const day = 86_400_000;
  const issued =
    fault === "expired"
      ? await ca.issue({ notBefore: new Date(Date.now() - 10 * day), notAfter: new Date(Date.now() - day) })
      : fault === "wrong-host"
        ? await ca.issue({ hosts: ["mail.example.net"] })
        : await (await createTestCa("Untrusted Test CA")).issue();
  const greeting = GREETINGS[options.protocol ?? "imap"];
  const tracked = new Set<net.Socket>();
  const server = tls.createServer({ cert: issued.certPem, key: issued.keyPem }, (socket) => {
    socket.on("error", () => socket.destroy());
    socket.write(greeting);
    socket.resume();
  });
  return { ...(await listen(server, tracked, { total: 0 })), certPem: issued.certPem };
}
