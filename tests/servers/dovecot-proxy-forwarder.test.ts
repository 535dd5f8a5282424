import net from "node:net";
import { afterAll, describe, expect, it } from "vitest";
import { proxyHeader, startProxyProtocolForwarder } from "./dovecot-proxy-forwarder";

describe("PROXY-protocol forwarder", () => {
  const closers: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const close of closers) await close();
  });

  it("encodes v1 and v2 headers (HAProxy spec, TCP over IPv4)", () => {
    const source = { address: "127.0.0.1", port: 50_000 };
    const destination = { address: "127.0.0.1", port: 143 };
    expect(proxyHeader(1, source, destination).toString()).toBe("PROXY TCP4 127.0.0.1 127.0.0.1 50000 143\r\n");
    expect(proxyHeader(2, source, destination).toString("hex")).toBe(
      "0d0a0d0a000d0a515549540a" + "21" + "11" + "000c" + "7f000001" + "7f000001" + "c350" + "008f",
    );
  });

  it.each([1, 2] as const)("sends the v%s header first, then the client's bytes both ways", async (version) => {
    let received = Buffer.alloc(0);
    const upstream = net.createServer((socket) => {
      socket.on("data", (chunk) => {
        received = Buffer.concat([received, chunk]);
        if (received.includes("hello")) socket.write("world");
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, "127.0.0.1", resolve));
    closers.push(() => new Promise<void>((resolve) => upstream.close(() => resolve())));
    const forwarder = await startProxyProtocolForwarder({ targetPort: (upstream.address() as net.AddressInfo).port, version });
    closers.push(forwarder.stop);

    const client = net.connect({ host: "127.0.0.1", port: forwarder.port });
    client.write("hello");
    const reply = await new Promise<string>((resolve) => client.once("data", (chunk) => resolve(chunk.toString())));
    expect(reply).toBe("world");
    const header = proxyHeader(
      version,
      { address: "127.0.0.1", port: client.localPort! },
      { address: "127.0.0.1", port: forwarder.port },
    );
    expect(received.subarray(0, header.length).equals(header)).toBe(true);
    expect(received.subarray(header.length).toString()).toBe("hello");
    expect(forwarder.openConnections()).toBe(1);
    client.destroy();
    await expect.poll(() => forwarder.openConnections()).toBe(0);
  });
});
