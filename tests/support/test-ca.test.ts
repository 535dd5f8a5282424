import crypto from "node:crypto";
import tls from "node:tls";
import { afterAll, describe, expect, it } from "vitest";
import { createTestCa } from "./test-ca";

describe("test CA", () => {
  const servers: tls.Server[] = [];
  afterAll(() => servers.forEach((s) => s.close()));

  async function handshake(certPem: string, keyPem: string, caPem: string, servername?: string) {
    const server = tls.createServer({ cert: certPem, key: keyPem }, (s) => s.end());
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as { port: number };
    return new Promise<string>((resolve) => {
      const socket = tls.connect({ host: "127.0.0.1", port, ca: caPem, servername }, () => {
        socket.end();
        resolve("ok");
      });
      socket.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message));
    });
  }

  it("issues a server certificate that a client trusting only the CA accepts, for 127.0.0.1", async () => {
    const ca = await createTestCa();
    const server = await ca.issue();
    expect(new crypto.X509Certificate(server.certPem).checkIssued(new crypto.X509Certificate(ca.caPem))).toBe(true);
    expect(await handshake(server.certPem, server.keyPem, ca.caPem)).toBe("ok");
  });

  it("issues expired and wrong-host certificates that clients reject with distinct errors", async () => {
    const ca = await createTestCa();
    const expired = await ca.issue({
      notBefore: new Date(Date.now() - 10 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
    });
    expect(await handshake(expired.certPem, expired.keyPem, ca.caPem)).toBe("CERT_HAS_EXPIRED");
    const wrongHost = await ca.issue({ hosts: ["mail.example.net"] });
    expect(await handshake(wrongHost.certPem, wrongHost.keyPem, ca.caPem)).toBe("ERR_TLS_CERT_ALTNAME_INVALID");
    const other = await createTestCa("Other CA");
    const untrusted = await other.issue();
    expect(await handshake(untrusted.certPem, untrusted.keyPem, ca.caPem)).toBe("UNABLE_TO_VERIFY_LEAF_SIGNATURE");
  });
});
