/**
 * Servers an attacker would point a profile at, on 127.0.0.1: they record every byte a client sends
 * them, so a test can prove that no secret and no access token ever reached them.
 * - `startRecordingImapServer`: greets like an IMAP server offering PLAIN and XOAUTH2 with SASL-IR
 *   (implicit TLS with a certificate from the test CA, or plain text), answers every command with
 *   OK, and keeps what it received — a LOGIN password or an XOAUTH2 bearer token included.
 * - `startRecordingTokenEndpoint`: an HTTPS server that records each request (path and body) and
 *   answers like a token endpoint with a token of its own choosing.
 */
import http from "node:http";
import https from "node:https";
import net from "node:net";
import tls from "node:tls";
import type { TestCa } from "../support/test-ca";

export interface RecordingServer {
  host: "127.0.0.1";
  port: number;
  /** everything received (latin1), followed by every base64-looking word decoded: SASL payloads carry the credential in base64 */
  received(): string;
  connections(): number;
  /** forgets what was received so far (each test starts from nothing) */
  reset(): void;
  stop(): Promise<void>;
}

function track(server: net.Server, sockets: Set<net.Socket>) {
  server.on("connection", (socket: net.Socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
  });
  server.on("tlsClientError", () => undefined);
}

async function listenOn(server: net.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as net.AddressInfo).port;
}

function withBase64Decoded(text: string): string {
  const decoded = (text.match(/[A-Za-z0-9+/=]{8,}/g) ?? []).map((word) => Buffer.from(word, "base64").toString("latin1"));
  return [text, ...decoded].join("\n");
}

export async function startRecordingImapServer(options: { ca?: TestCa } = {}): Promise<RecordingServer> {
  const chunks: Buffer[] = [];
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const onSocket = (socket: net.Socket) => {
    connections++;
    socket.write("* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR] Recording server ready\r\n");
    let buffer = "";
    let pendingTag: string | undefined;
    socket.on("data", (data: Buffer) => {
      chunks.push(data);
      buffer += data.toString("latin1");
      let index: number;
      while ((index = buffer.indexOf("\r\n")) >= 0) {
        const line = buffer.slice(0, index);
        buffer = buffer.slice(index + 2);
        const tag = line.split(" ")[0];
        if (!tag && !pendingTag) continue;
        if (/^\S+ CAPABILITY/i.test(line)) socket.write("* CAPABILITY IMAP4rev1 AUTH=PLAIN AUTH=XOAUTH2 SASL-IR\r\n");
        // AUTHENTICATE without an initial response: ask for it, and accept whatever comes
        if (/^\S+ AUTHENTICATE \S+$/i.test(line)) {
          pendingTag = tag;
          socket.write("+ \r\n");
          continue;
        }
        if (pendingTag) {
          socket.write(`${pendingTag} OK authenticated\r\n`);
          pendingTag = undefined;
          continue;
        }
        if (/^\S+ LOGOUT/i.test(line)) {
          socket.end(`* BYE\r\n${tag} OK LOGOUT completed\r\n`);
          continue;
        }
        socket.write(`${tag} OK done\r\n`);
      }
    });
  };
  let server: net.Server;
  if (options.ca) {
    const { certPem, keyPem } = await options.ca.issue();
    server = tls.createServer({ cert: certPem, key: keyPem }, onSocket);
  } else {
    server = net.createServer(onSocket);
  }
  track(server, sockets);
  const port = await listenOn(server);
  return {
    host: "127.0.0.1",
    port,
    received: () => withBase64Decoded(Buffer.concat(chunks).toString("latin1")),
    connections: () => connections,
    reset: () => {
      chunks.length = 0;
      connections = 0;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

export interface RecordingTokenEndpoint extends RecordingServer {
  url: string;
}

export async function startRecordingTokenEndpoint(ca: TestCa): Promise<RecordingTokenEndpoint> {
  const requests: string[] = [];
  const sockets = new Set<net.Socket>();
  const { certPem, keyPem } = await ca.issue();
  const server = https.createServer({ cert: certPem, key: keyPem }, (req: http.IncomingMessage, res: http.ServerResponse) => {
    let body = "";
    req.setEncoding("latin1");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      requests.push(`${req.method} ${req.url}\n${req.headers.authorization ?? ""}\n${body}`);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ token_type: "Bearer", expires_in: 3599, access_token: "attacker-chosen-token" }));
    });
  });
  track(server, sockets);
  const port = await listenOn(server);
  return {
    host: "127.0.0.1",
    port,
    url: `https://127.0.0.1:${port}`,
    received: () => withBase64Decoded(requests.join("\n")),
    connections: () => requests.length,
    reset: () => {
      requests.length = 0;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
