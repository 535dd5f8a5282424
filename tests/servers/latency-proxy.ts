/**
 * A TCP proxy that delays every chunk by `latencyMs` in each direction (so a round trip costs
 * 2 × latencyMs), to benchmark how many round trips a connection test needs against a distant
 * server. Bytes are forwarded unchanged, so TLS and STARTTLS pass through.
 */
import net from "node:net";

export interface LatencyProxy {
  host: "127.0.0.1";
  port: number;
  openConnections(): number;
  stop(): Promise<void>;
}

export interface LatencyProxyOptions {
  targetPort: number;
  targetHost?: string;
  /** one-way delay per direction */
  latencyMs: number;
}

function delayedPipe(from: net.Socket, to: net.Socket, latencyMs: number) {
  // Timers with the same delay fire in creation order, so chunks keep their order.
  from.on("data", (chunk: Buffer) => {
    setTimeout(() => {
      if (!to.destroyed) to.write(chunk);
    }, latencyMs);
  });
  from.on("end", () => setTimeout(() => to.end(), latencyMs));
}

export async function startLatencyProxy(options: LatencyProxyOptions): Promise<LatencyProxy> {
  const sockets = new Set<net.Socket>();
  const clients = new Set<net.Socket>();
  const server = net.createServer((client) => {
    clients.add(client);
    sockets.add(client);
    const upstream = net.connect({ host: options.targetHost ?? "127.0.0.1", port: options.targetPort });
    sockets.add(upstream);
    const teardown = () => {
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on("error", teardown);
      socket.on("close", () => {
        sockets.delete(socket);
        clients.delete(socket);
        // The other side is closed after the same delay, so in-flight chunks still arrive.
        setTimeout(teardown, options.latencyMs);
      });
    }
    delayedPipe(client, upstream, options.latencyMs);
    delayedPipe(upstream, client, options.latencyMs);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  return {
    host: "127.0.0.1",
    port: (server.address() as net.AddressInfo).port,
    openConnections: () => clients.size,
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
