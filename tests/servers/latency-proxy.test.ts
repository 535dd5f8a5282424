import net from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { startLatencyProxy, type LatencyProxy } from "./latency-proxy";

describe("latency proxy", () => {
  const closers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const close of closers) await close();
  });

  async function echoServer(): Promise<number> {
    const server = net.createServer((socket) => socket.pipe(socket));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    return (server.address() as net.AddressInfo).port;
  }

  async function roundTrip(proxy: LatencyProxy, payloads: string[]): Promise<{ ms: number; received: string }> {
    const socket = net.connect({ host: proxy.host, port: proxy.port });
    await new Promise<void>((resolve) => socket.once("connect", resolve));
    const expected = payloads.join("");
    const started = Date.now();
    let received = "";
    const done = new Promise<void>((resolve) =>
      socket.on("data", (chunk) => {
        received += chunk.toString();
        if (received.length >= expected.length) resolve();
      }),
    );
    for (const payload of payloads) socket.write(payload);
    await done;
    socket.destroy();
    return { ms: Date.now() - started, received };
  }

  it("delays each direction by the configured latency and keeps the byte order", async () => {
    const proxy = await startLatencyProxy({ targetPort: await echoServer(), latencyMs: 40 });
    closers.push(proxy.stop);
    const { ms, received } = await roundTrip(proxy, ["one ", "two ", "three"]);
    expect(received).toBe("one two three");
    expect(ms).toBeGreaterThanOrEqual(78);
    expect(ms).toBeLessThan(400);
    await expect.poll(() => proxy.openConnections(), { timeout: 1_000 }).toBe(0);
  });

  it("stop() closes open connections", async () => {
    const proxy = await startLatencyProxy({ targetPort: await echoServer(), latencyMs: 5 });
    const socket = net.connect({ host: proxy.host, port: proxy.port });
    await new Promise<void>((resolve) => socket.once("connect", resolve));
    const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
    socket.on("error", () => undefined);
    await expect.poll(() => proxy.openConnections()).toBe(1);
    await proxy.stop();
    await closed;
  });
});
