/**
 * requestToken's diagnostics for everything that is not an OAuth refusal: server errors, a hanging
 * or dropping endpoint, DNS, refused connections, TLS trust and host-name failures, and answers that
 * are not token responses. Each must say in plain words what happened and what to change.
 */
import "reflect-metadata";
import { webcrypto } from "node:crypto";
import http from "node:http";
import net from "node:net";
import * as x509 from "@peculiar/x509";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { requestToken, type TokenFailure, type TokenRequestSettings, type TokenResult } from "@/lib/oauth/token-request";
import { CLIENT, TENANT, startTokenFixture, type FixtureApp, type TokenFixture } from "@/tests/support/mail-fixture";
import { createTestCa, type TestCa } from "@/tests/support/test-ca";
import type { TokenEndpoint } from "@/tests/servers/token-endpoint";

const SECRET = "Xy78Q~network-secret-0123456789abcdefgh";
const app: FixtureApp = { clientId: CLIENT, secrets: [SECRET], roles: ["IMAP.AccessAsApp"] };

let fixture: TokenFixture;
let ca: TestCa;
let endpoint: TokenEndpoint;
let plain: http.Server;
// Log everything (the shared setup silences logs) so the leak check below has lines to search.
vi.hoisted(() => {
  process.env.MCF_LOG_LEVEL = "debug";
});
const stderr = vi.spyOn(process.stderr, "write").mockImplementation(() => true);

beforeAll(async () => {
  fixture = await startTokenFixture({ apps: [app] });
  ({ ca, tokens: endpoint } = fixture);
  // A plain-http local server for answers no token endpoint should give (allowed: http to localhost).
  plain = http.createServer((req, res) => {
    req.resume();
    if (req.url?.startsWith("/html")) {
      res.writeHead(200, { "Content-Type": "text/html" });
      res.end("<!DOCTYPE html><html><body>Sign in to continue</body></html>");
    } else {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ token_type: "Bearer", expires_in: 3599 }));
    }
  });
  await new Promise<void>((r) => plain.listen(0, "127.0.0.1", r));
});

afterAll(async () => {
  await Promise.all([fixture?.stop(), new Promise((r) => plain?.close(r))]);
  const logged = stderr.mock.calls.map((c) => String(c[0])).join("\n");
  stderr.mockRestore();
  expect(logged.length, "the server-side log was captured").toBeGreaterThan(0);
  expect(logged).not.toContain(SECRET);
});

function settings(tokenUrl: string, overrides: Partial<TokenRequestSettings> = {}): TokenRequestSettings {
  return {
    tokenUrl,
    method: "client_secret",
    clientAuthentication: "client_secret_post",
    requestProperties: { grant_type: "client_credentials", client_id: CLIENT, scope: "https://outlook.office365.com/.default" },
    clientSecret: SECRET,
    trustedCaPem: ca.caPem,
    timeoutMs: 3000,
    ...overrides,
  };
}

/** A leaf certificate signed by its own key, for 127.0.0.1 (tests/support/test-ca issues CA-signed ones only). */
async function selfSignedServerCertificate(name: string) {
  const alg = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256", publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
  const keys = (await webcrypto.subtle.generateKey(alg, true, ["sign", "verify"])) as unknown as CryptoKeyPair;
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "0a",
    name: `CN=${name}`,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 86_400_000),
    keys,
    signingAlgorithm: alg,
    extensions: [
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: "ip", value: "127.0.0.1" }]),
    ],
  });
  const der = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey as unknown as webcrypto.CryptoKey));
  return {
    certPem: cert.toString("pem"),
    keyPem: `-----BEGIN PRIVATE KEY-----\n${der.toString("base64")}\n-----END PRIVATE KEY-----\n`,
  };
}

function expectFailure(result: TokenResult): TokenFailure {
  expect(result.ok).toBe(false);
  expect(JSON.stringify(result)).not.toContain(SECRET);
  return result as TokenFailure;
}

const endpointWith = (certificate: { certPem: string; keyPem: string }) =>
  fixture.startTokenEndpoint({ serverCertificate: certificate });

describe("server errors and the retry rule", () => {
  it("HTTP 500 with an HTML page: retried once, then explained", async () => {
    endpoint.setFault({ respond500Html: Infinity });
    const before = endpoint.requests.length;
    const f = expectFailure(await requestToken(settings(endpoint.tokenUrl(TENANT)), { retryDelayMs: 10 }));
    endpoint.setFault(null);
    expect(endpoint.requests.length - before).toBe(2);
    expect(f).toEqual({
      ok: false,
      kind: "http",
      httpStatus: 500,
      title: "Token endpoint server error (HTTP 500)",
      aadstsCodes: [],
      cause: "127.0.0.1 answered HTTP 500 with an HTML page instead of a token, also when retried.",
      fix: "The problem is on the server side: try again in a few minutes and check Microsoft 365 service health. If a proxy sits in between, its logs may show the cause.",
      attempts: 2,
      ms: expect.any(Number),
    });
  });

  it("a single 500 is absorbed by the retry", async () => {
    endpoint.setFault({ respond500Html: 1 });
    const result = await requestToken(settings(endpoint.tokenUrl(TENANT)), { retryDelayMs: 10 });
    endpoint.setFault(null);
    expect(result).toMatchObject({ ok: true, attempts: 2 });
  });

  it("a wrong path gets HTTP 404, explained as a wrong token URL", async () => {
    const f = expectFailure(await requestToken(settings(`${endpoint.url}/${TENANT}/oauth2/v2.0/tokens`)));
    expect(f).toMatchObject({ kind: "http", httpStatus: 404, title: "Token endpoint not found (HTTP 404)", attempts: 1 });
    expect(f.cause).toBe(`127.0.0.1 has no token endpoint at /${TENANT}/oauth2/v2.0/tokens (HTTP 404).`);
  });
});

describe("timeouts and dropped connections", () => {
  it("hang → timeout after timeoutMs, not retried", async () => {
    endpoint.setFault({ hang: true });
    const f = expectFailure(await requestToken(settings(endpoint.tokenUrl(TENANT), { timeoutMs: 300 }), { retryDelayMs: 10 }));
    endpoint.setFault(null);
    expect(f).toMatchObject({
      kind: "timeout",
      title: "No answer within 0.3 s",
      cause: "Connected to 127.0.0.1, but the token endpoint did not answer within 0.3 s.",
      attempts: 1,
    });
    expect(f.ms).toBeGreaterThanOrEqual(290);
    expect(f.ms).toBeLessThan(2000);
  });

  it("cancel while waiting → cancelled", async () => {
    endpoint.setFault({ hang: true });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const f = expectFailure(await requestToken(settings(endpoint.tokenUrl(TENANT)), { signal: controller.signal }));
    endpoint.setFault(null);
    expect(f).toMatchObject({ kind: "cancelled", title: "Cancelled" });
  });

  it("cancel during the pause before the retry → cancelled, no second attempt", async () => {
    endpoint.setFault({ respond500Html: Infinity });
    const before = endpoint.requests.length;
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 150);
    const f = expectFailure(
      await requestToken(settings(endpoint.tokenUrl(TENANT)), { signal: controller.signal, retryDelayMs: 5000 }),
    );
    endpoint.setFault(null);
    expect(f).toMatchObject({ kind: "cancelled", attempts: 1 });
    expect(endpoint.requests.length - before).toBe(1);
  });

  it("closeImmediately → connection closed before TLS", async () => {
    endpoint.setFault({ closeImmediately: true });
    const f = expectFailure(await requestToken(settings(endpoint.tokenUrl(TENANT))));
    endpoint.setFault(null);
    const port = new URL(endpoint.url).port;
    expect(f).toMatchObject({
      kind: "connect",
      title: "Connection closed by the server",
      cause: `127.0.0.1:${port} accepted the connection and closed it at once, before the TLS handshake completed.`,
    });
  });
});

describe("DNS and TCP", () => {
  it("a .invalid host name → DNS failure", async () => {
    const f = expectFailure(await requestToken(settings(`https://login.mcf-test.invalid/${TENANT}/oauth2/v2.0/token`)));
    expect(f.kind).toBe("dns");
    if (f.title === "DNS did not answer") return; // a resolver without network access answers EAI_AGAIN
    expect(f).toMatchObject({
      title: "Host name not found",
      cause: "The host name login.mcf-test.invalid does not exist in DNS (ENOTFOUND).",
      fix: "Check the token URL for typos (Global: login.microsoftonline.com). If the name is right, check this server's DNS settings.",
    });
  });

  it("a closed port → connection refused", async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const f = expectFailure(await requestToken(settings(`https://127.0.0.1:${port}/${TENANT}/oauth2/v2.0/token`)));
    expect(f).toMatchObject({
      kind: "connect",
      title: "Connection refused",
      cause: `Nothing accepts connections on 127.0.0.1:${port} (connection refused).`,
    });
    expect(f.fix).toMatch(/^Check the host and port in the token URL/);
  });
});

describe("TLS", () => {
  it("a server certificate from a CA the console does not trust", async () => {
    const other = await createTestCa("Other CA");
    const f = expectFailure(await requestToken(settings(endpoint.tokenUrl(TENANT), { trustedCaPem: other.caPem })));
    expect(f).toMatchObject({ kind: "tls", title: "Server certificate not trusted" });
    expect(f.cause).toBe(
      'The TLS certificate of 127.0.0.1, issued by "MCF Test CA", is not signed by a certificate authority this console trusts.',
    );
    expect(f.fix).toMatch(
      /^If your network inspects TLS through a proxy, add the proxy's root CA certificate under Connection > Trusted CA certificates/,
    );
  });

  it("a self-signed server certificate", async () => {
    const e = await endpointWith(await selfSignedServerCertificate("Self Signed Endpoint"));
    const f = expectFailure(await requestToken(settings(e.tokenUrl(TENANT))));
    expect(f).toMatchObject({ kind: "tls", title: "Self-signed certificate" });
    expect(f.cause).toBe(
      "127.0.0.1 presented a self-signed certificate (Self Signed Endpoint) that this console does not trust.",
    );
    expect(f.fix).toMatch(/^Microsoft's endpoints never use self-signed certificates\./);
  });

  it("a certificate not meant for servers (a CA certificate served as the server's)", async () => {
    const other = await createTestCa("Misused CA");
    const e = await endpointWith({ certPem: other.caPem, keyPem: other.caKeyPem });
    const f = expectFailure(await requestToken(settings(e.tokenUrl(TENANT), { trustedCaPem: other.caPem })));
    expect(f).toMatchObject({ kind: "tls", title: "Certificate not meant for a server" });
    expect(f.cause).toBe(
      "The TLS certificate of 127.0.0.1 (Misused CA) is not issued for TLS server use (its key usage does not allow it).",
    );
  });

  it("a certificate for another host name", async () => {
    const e = await endpointWith(await ca.issue({ hosts: ["login.example.net"] }));
    const f = expectFailure(await requestToken(settings(e.tokenUrl(TENANT))));
    expect(f).toMatchObject({
      kind: "tls",
      title: "Certificate is for another host",
      cause: "The TLS certificate presented by 127.0.0.1 is for DNS:login.example.net, not for 127.0.0.1.",
    });
  });

  it("an expired server certificate", async () => {
    const notAfter = new Date(Date.now() - 86_400_000);
    const e = await endpointWith(await ca.issue({ notBefore: new Date(Date.now() - 10 * 86_400_000), notAfter }));
    const f = expectFailure(await requestToken(settings(e.tokenUrl(TENANT))));
    expect(f).toMatchObject({ kind: "tls", title: "Server certificate expired" });
    expect(f.cause).toBe(
      `The TLS certificate of 127.0.0.1 (localhost) expired on ${new Date(Math.floor(notAfter.getTime() / 1000) * 1000).toISOString()}.`,
    );
    expect(f.fix).toMatch(/^Check this server's clock first/);
  });
});

describe("answers that are not token responses", () => {
  it("HTTP 200 with an HTML page", async () => {
    const port = (plain.address() as net.AddressInfo).port;
    const f = expectFailure(await requestToken(settings(`http://127.0.0.1:${port}/html`)));
    expect(f).toMatchObject({
      kind: "invalid_response",
      httpStatus: 200,
      title: "The answer is not a token",
      cause:
        "127.0.0.1 answered HTTP 200 with an HTML page instead of a token: the token URL probably points to a web page, or a proxy's sign-in page is in the way.",
    });
  });

  it("HTTP 200 JSON without access_token", async () => {
    const port = (plain.address() as net.AddressInfo).port;
    const f = expectFailure(await requestToken(settings(`http://127.0.0.1:${port}/json`)));
    expect(f).toMatchObject({
      kind: "invalid_response",
      title: "Token response incomplete",
      cause: "127.0.0.1 answered HTTP 200 with JSON that lacks access_token.",
    });
  });
});
