/**
 * A TCP forwarder that prepends a PROXY-protocol header (v1 text or v2 binary) to every
 * connection it passes to a Dovecot listener configured with `haproxy = yes`.
 *
 * Why: Dovecot treats a 127.0.0.1 → 127.0.0.1 connection as already secure, so on a plain port
 * it would accept LOGIN before STARTTLS and never advertise LOGINDISABLED. A proxied connection
 * is judged by the proxy's TLS state instead (checked on 2.3.19: even a header naming 127.0.0.1
 * as the client gets LOGINDISABLED), so the STARTTLS ports behave like a real remote server's.
 * The forwarder only copies bytes after the header, so STARTTLS/STLS handshakes pass through.
 */
import net from "node:net";

export interface ProxyProtocolForwarder {
  port: number;
  /** connections currently open on the client side */
  openConnections(): number;
  /** connections accepted since start */
  totalConnections(): number;
  stop(): Promise<void>;
}

export interface ProxyProtocolForwarderOptions {
  targetPort: number;
  targetHost?: string;
  version?: 1 | 2;
}

const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);

function ipv4(address: string | undefined): string {
  // The forwarder only listens on 127.0.0.1; an IPv4-mapped form can still show up on dual-stack hosts.
  const plain = (address ?? "127.0.0.1").replace(/^::ffff:/, "");
  return net.isIPv4(plain) ? plain : "127.0.0.1";
}

export function proxyHeader(
  version: 1 | 2,
  source: { address: string; port: number },
  destination: { address: string; port: number },
): Buffer {
  if (version === 1)
    return Buffer.from(`PROXY TCP4 ${source.address} ${destination.address} ${source.port} ${destination.port}\r\n`, "latin1");
  const body = Buffer.alloc(12);
  source.address.split(".").forEach((octet, i) => body.writeUInt8(Number(octet), i));
  destination.address.split(".").forEach((octet, i) => body.writeUInt8(Number(octet), 4 + i));
  body.writeUInt16BE(source.port, 8);
  body.writeUInt16BE(destination.port, 10);
  // 0x21 = version 2, PROXY command; 0x11 = TCP over IPv4; then the 16-bit address block length.
  return Buffer.concat([V2_SIGNATURE, Buffer.from([0x21, 0x11, 0x00, 12]), body]);
}

export async function startProxyProtocolForwarder(options: ProxyProtocolForwarderOptions): Promise<ProxyProtocolForwarder> {
  const targetHost = options.targetHost ?? "127.0.0.1";
  const version = options.version ?? 2;
  const sockets = new Set<net.Socket>();
  const clients = new Set<net.Socket>();
  let total = 0;

  const server = net.createServer((client) => {
    total++;
    sockets.add(client);
    clients.add(client);
    const upstream = net.connect({ host: targetHost, port: options.targetPort });
    sockets.add(upstream);
    const teardown = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("close", () => {
      sockets.delete(client);
      clients.delete(client);
      upstream.destroy();
    });
    upstream.on("close", () => {
      sockets.delete(upstream);
      client.destroy();
    });
    client.on("error", teardown);
    upstream.on("error", teardown);
    upstream.once("connect", () => {
      // The header must be the very first bytes Dovecot sees; the client socket stays paused
      // (no 'data' listener yet), so nothing it sent can overtake the header.
      upstream.write(
        proxyHeader(
          version,
          { address: ipv4(client.remoteAddress), port: client.remotePort ?? 0 },
          { address: ipv4(client.localAddress), port: client.localPort ?? 0 },
        ),
      );
      client.pipe(upstream);
      upstream.pipe(client);
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });

  return {
    port: (server.address() as net.AddressInfo).port,
    openConnections: () => clients.size,
    totalConnections: () => total,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
