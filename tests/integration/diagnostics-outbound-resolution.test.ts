/**
 * The outbound guard where names are resolved: the Test's DNS step (mail) and the token request.
 * A host NAME that resolves to a refused address is refused like the address itself, nothing is
 * connected, and a DNS answer that changes after the check (rebinding) cannot redirect the
 * connection: the code connects to the address it checked.
 *
 * Names other than localhost are answered by this file's resolver (dns.lookup, which the code
 * resolves through, is spied on); everything listens on loopback. The guard reads its settings at
 * import, so each case loads the modules afresh with its environment.
 */
import dns from "node:dns";
import net from "node:net";
import tls from "node:tls";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { TestResult, TestStep } from "@/lib/diagnostics/types";
import type { ProfileInput } from "@/lib/profiles/schema";
import { basicInput, oauthSecretInput } from "@/tests/support/profile-fixtures";
import { createTestCa, type TestCa } from "@/tests/support/test-ca";
import { startExchangeLikeImapServer, startSilentServer, type FaultServer } from "@/tests/servers/fault-servers";
import { startTokenEndpoint, type StandInApp, type TokenEndpoint } from "@/tests/servers/token-endpoint";

const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const CLIENT = "6731de76-14a6-49ae-97bc-6eba6914391e";
const SECRET = "Qx8~resolution-secret-0123456789abcdefg";
const app: StandInApp = {
  clientId: CLIENT,
  tenantId: TENANT,
  secrets: [SECRET],
  certificatesPem: [],
  roles: ["IMAP.AccessAsApp"],
};

// ---- a resolver for made-up names, and a record of every TCP connection attempt ------------------

/** name → the answers to give, in turn (the last one repeats) */
const answers = new Map<string, string[][]>();
const lookedUp: string[] = [];
const realLookup = dns.lookup;
vi.spyOn(dns, "lookup").mockImplementation(((hostname: string, options: unknown, callback?: unknown) => {
  const done = (typeof options === "function" ? options : callback) as (
    error: NodeJS.ErrnoException | null,
    address: unknown,
    family?: number,
  ) => void;
  const opts = (typeof options === "object" && options !== null ? options : {}) as dns.LookupOptions;
  const queue = answers.get(hostname);
  if (!queue) return (realLookup as (...args: unknown[]) => void)(hostname, opts, done);
  lookedUp.push(hostname);
  const addresses = (queue.length > 1 ? queue.shift()! : queue[0]!).map((address) => ({
    address,
    family: net.isIPv6(address) ? 6 : 4,
  }));
  process.nextTick(() => (opts.all ? done(null, addresses) : done(null, addresses[0]!.address, addresses[0]!.family)));
}) as unknown as typeof dns.lookup);

/** "ip:port" of every TCP connection attempt this process starts (net, tls, https alike). */
const attempts: string[] = [];
const isLoopback = (address: string) => /^(127\.|::1$|::ffff:127\.)/.test(address);
const refuse = (address: string) => {
  attempts.push(`${address} (refused by the test)`);
  return Object.assign(new Error(`this test connects to loopback only, not to ${address}`), { code: "EACCES" });
};
type Lookup = (
  hostname: string,
  options: dns.LookupOptions,
  callback: (error: NodeJS.ErrnoException | null, address: string | dns.LookupAddress[], family?: number) => void,
) => void;
const realConnect = net.Socket.prototype.connect;
vi.spyOn(net.Socket.prototype, "connect").mockImplementation(function (this: net.Socket, ...args: unknown[]) {
  // A broken guard must still not send a packet off this machine: the test refuses any address
  // but loopback, whether the caller connects to an IP or lets a lookup pick one.
  const options = args[0] as { host?: unknown; lookup?: Lookup } | undefined;
  if (options && typeof options === "object") {
    if (typeof options.host === "string" && net.isIP(options.host) && !isLoopback(options.host)) throw refuse(options.host);
    const inner: Lookup = options.lookup ?? (dns.lookup as unknown as Lookup);
    options.lookup = (hostname, lookupOptions, callback) =>
      inner(hostname, lookupOptions, (error, address, family) => {
        const found = Array.isArray(address) ? address.map((a) => a.address) : address ? [address] : [];
        const outside = found.find((a) => !isLoopback(a));
        if (!error && outside) return callback(refuse(outside), Array.isArray(address) ? [] : "");
        callback(error, address, family);
      });
  }
  this.on("connectionAttempt", (ip: string, port: number) => attempts.push(`${ip}:${port}`));
  return (realConnect as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof net.Socket.prototype.connect);

const GUARD_SETTINGS = ["MCF_OUTBOUND_ALLOW", "MCF_OUTBOUND_BLOCK_PRIVATE"] as const;

/** The Test and the token request, loaded with these guard settings (lib/env.ts reads them at import). */
async function load(settings: Partial<Record<(typeof GUARD_SETTINGS)[number], string>> = {}) {
  vi.resetModules();
  for (const key of GUARD_SETTINGS) {
    if (settings[key] === undefined) delete process.env[key];
    else process.env[key] = settings[key];
  }
  const [{ runConnectionTest }, { requestToken }] = await Promise.all([
    import("@/lib/diagnostics/run-test"),
    import("@/lib/oauth/token-request"),
  ]);
  return { runConnectionTest, requestToken };
}

let ca: TestCa;
const servers: { stop(): Promise<void> }[] = [];

beforeAll(async () => {
  ca = await createTestCa();
});

afterEach(() => {
  answers.clear();
  lookedUp.length = 0;
  attempts.length = 0;
  for (const key of GUARD_SETTINGS) delete process.env[key];
});

afterAll(async () => {
  await Promise.all(servers.map((s) => s.stop()));
});

async function started<T extends { stop(): Promise<void> }>(server: Promise<T>): Promise<T> {
  const s = await server;
  servers.push(s);
  return s;
}

function mailProfile(host: string, port: number): ProfileInput {
  const profile = basicInput({ username: "carol@contoso.test", password: "carol-pw-1" });
  profile.connection.mailServerUrl = host;
  profile.connection.port = String(port);
  profile.connection.security = "none";
  return profile;
}

function oauthProfile(tokenUrl: string, mailHost: string, mailPort: number): ProfileInput {
  const profile = oauthSecretInput({ host: mailHost, username: "alice@contoso.test", secret: SECRET });
  profile.connection.port = String(mailPort);
  profile.connection.trustedCaPem = ca.caPem;
  profile.authentication.tokenUrl = tokenUrl;
  profile.authentication.requestProperties = profile.authentication.requestProperties.map((r) =>
    r.key === "client_id" ? { ...r, value: CLIENT } : r,
  );
  return profile;
}

const step = (result: TestResult, id: TestStep["step"]) => result.steps.find((s) => s.step === id)!;

describe("by default: link-local and cloud-metadata addresses", () => {
  it("a mail host name that resolves to 169.254.169.254 fails the DNS step, and nothing is connected", async () => {
    const { runConnectionTest } = await load();
    answers.set("imds.attacker.test", [["169.254.169.254"]]);
    const result = await runConnectionTest(
      { profile: mailProfile("imds.attacker.test", 993), secrets: {} },
      { timeoutMs: 5_000 },
    );
    expect(step(result, "dns")).toMatchObject({
      status: "fail",
      detail:
        "imds.attacker.test resolves to 169.254.169.254, a link-local/cloud-metadata address this console does not connect to.",
      fix: "Ask the operator to allow it with MCF_OUTBOUND_ALLOW, or correct the host (Exchange Online: outlook.office365.com).",
      data: { blocked: ["169.254.169.254"] },
    });
    expect(step(result, "dns").cause).toMatch(/instance-metadata service/);
    expect(step(result, "tcp").status).toBe("skipped");
    expect(lookedUp).toEqual(["imds.attacker.test"]);
    expect(attempts).toEqual([]);
  });

  it("a name that resolves to an IPv6 spelling of 169.254.169.254 (NAT64, IPv4-mapped) is refused the same way", async () => {
    const { runConnectionTest } = await load();
    answers.set("nat64.attacker.test", [["64:ff9b::a9fe:a9fe", "::ffff:a9fe:a9fe"]]);
    const result = await runConnectionTest(
      { profile: mailProfile("nat64.attacker.test", 993), secrets: {} },
      { timeoutMs: 5_000 },
    );
    expect(step(result, "dns")).toMatchObject({
      status: "fail",
      detail:
        "nat64.attacker.test resolves to 64:ff9b::a9fe:a9fe (link-local/cloud-metadata, an IPv6 spelling of 169.254.169.254) and ::ffff:a9fe:a9fe (link-local/cloud-metadata, an IPv6 spelling of 169.254.169.254): addresses this console does not connect to.",
    });
    expect(attempts).toEqual([]);
  });

  it("a token URL whose host resolves to 169.254.169.254 fails the token step before any connection", async () => {
    const { runConnectionTest } = await load();
    answers.set("login.attacker.test", [["169.254.169.254"]]);
    answers.set("mail.attacker.test", [["169.254.169.254"]]);
    const profile = oauthProfile(`https://login.attacker.test/${TENANT}/oauth2/v2.0/token`, "mail.attacker.test", 993);
    const result = await runConnectionTest({ profile, secrets: {} }, { timeoutMs: 5_000 });
    const token = step(result, "token");
    expect(token).toMatchObject({ status: "fail", detail: "Address not allowed." });
    expect(token.cause).toMatch(
      /^login\.attacker\.test resolves to 169\.254\.169\.254, a link-local\/cloud-metadata address this console does not connect to\. /,
    );
    expect(token.fix).toMatch(/^Ask the operator to allow it with MCF_OUTBOUND_ALLOW, or correct the token URL/);
    expect(lookedUp.sort()).toEqual(["login.attacker.test", "mail.attacker.test"]);
    expect(attempts).toEqual([]);
    expect(JSON.stringify(result)).not.toContain(SECRET);
  });

  it("a name with a usable and a refused address: the DNS step warns and only the usable address is connected", async () => {
    const { runConnectionTest } = await load();
    const imap = await started(startExchangeLikeImapServer("ok"));
    answers.set("mixed.attacker.test", [["169.254.169.254", "127.0.0.1"]]);
    const result = await runConnectionTest(
      { profile: mailProfile("mixed.attacker.test", imap.port), secrets: {} },
      { timeoutMs: 5_000 },
    );
    expect(step(result, "dns")).toMatchObject({
      status: "warn",
      detail: "mixed.attacker.test → 127.0.0.1; ignored 169.254.169.254.",
      cause:
        "mixed.attacker.test also resolves to 169.254.169.254, a link-local/cloud-metadata address this console does not connect to. The Test used the other addresses only.",
    });
    expect(step(result, "tcp")).toMatchObject({ status: "ok", data: { address: "127.0.0.1" } });
    expect(attempts).toEqual([`127.0.0.1:${imap.port}`]);
  });
});

describe("MCF_OUTBOUND_BLOCK_PRIVATE=true: private and loopback addresses too", () => {
  let listening: FaultServer;
  let endpoint: TokenEndpoint;

  beforeAll(async () => {
    listening = await started(startSilentServer());
    endpoint = await started(startTokenEndpoint({ ca, tenants: [TENANT], apps: [app] }));
  });

  it("localhost, 127.0.0.1 and ::ffff:127.0.0.1 fail the DNS step; the server listening there sees no connection", async () => {
    const { runConnectionTest } = await load({ MCF_OUTBOUND_BLOCK_PRIVATE: "true" });
    const cases: [string, RegExp][] = [
      ["localhost", /^localhost resolves to (127\.0\.0\.1|::1)(, a loopback address| \(loopback\))/],
      ["127.0.0.1", /^127\.0\.0\.1 is a loopback address this console does not connect to\.$/],
      [
        "[::ffff:127.0.0.1]",
        /^::ffff:7f00:1 is an IPv6 spelling of 127\.0\.0\.1, a loopback address this console does not connect to\.$/,
      ],
    ];
    for (const [host, detail] of cases) {
      const result = await runConnectionTest({ profile: mailProfile(host, listening.port), secrets: {} }, { timeoutMs: 5_000 });
      const dnsStep = step(result, "dns");
      expect(dnsStep.status, host).toBe("fail");
      expect(dnsStep.detail).toMatch(detail);
      expect(dnsStep.cause).toMatch(/MCF_OUTBOUND_BLOCK_PRIVATE=true/);
      expect(step(result, "tcp").status).toBe("skipped");
    }
    expect(attempts).toEqual([]);
    expect(listening.totalConnections()).toBe(0);
  });

  it("a token URL on localhost or 127.0.0.1 is refused; the token endpoint there gets no connection", async () => {
    const { requestToken } = await load({ MCF_OUTBOUND_BLOCK_PRIVATE: "true" });
    const port = new URL(endpoint.url).port;
    for (const host of ["localhost", "127.0.0.1", "[::ffff:127.0.0.1]"]) {
      const result = await requestToken({
        tokenUrl: `https://${host}:${port}/${TENANT}/oauth2/v2.0/token`,
        method: "client_secret",
        clientAuthentication: "client_secret_post",
        requestProperties: {
          grant_type: "client_credentials",
          client_id: CLIENT,
          scope: "https://outlook.office365.com/.default",
        },
        clientSecret: SECRET,
        trustedCaPem: ca.caPem,
        timeoutMs: 3_000,
      });
      expect(result, host).toMatchObject({ ok: false, kind: "config", title: "Address not allowed" });
      expect(result.ok ? "" : result.cause).toMatch(
        /(resolves to (127\.0\.0\.1|::1)|is (an IPv6 spelling of 127\.0\.0\.1, )?a loopback address).*\(MCF_OUTBOUND_BLOCK_PRIVATE=true\)/,
      );
    }
    expect(attempts).toEqual([]);
    expect(endpoint.requests).toHaveLength(0);
  });

  it("MCF_OUTBOUND_ALLOW still wins: with 127.0.0.1 allowed, the Test reaches the server", async () => {
    const { runConnectionTest } = await load({ MCF_OUTBOUND_BLOCK_PRIVATE: "true", MCF_OUTBOUND_ALLOW: "127.0.0.1" });
    const imap = await started(startExchangeLikeImapServer("ok"));
    const result = await runConnectionTest({ profile: mailProfile("127.0.0.1", imap.port), secrets: {} }, { timeoutMs: 5_000 });
    expect(step(result, "dns").status).toBe("ok");
    expect(step(result, "tcp")).toMatchObject({ status: "ok", data: { address: "127.0.0.1" } });
    expect(step(result, "greeting").status).toBe("ok");
  });
});

describe("DNS rebinding: the connection goes to the address that was checked", () => {
  // 127.0.0.1 is allowed, the rest of 127/8 is not: the second answer points at a refused address.
  const rebinding = { MCF_OUTBOUND_BLOCK_PRIVATE: "true", MCF_OUTBOUND_ALLOW: "127.0.0.1" };

  it("mail: a name that answers 127.0.0.1 to the check and 127.0.0.2 afterwards is connected at 127.0.0.1 only", async () => {
    const { runConnectionTest } = await load(rebinding);
    const imap = await started(startExchangeLikeImapServer("ok"));
    const trap = await started(startSilentServer({ host: "127.0.0.2", port: imap.port }));
    answers.set("rebind.attacker.test", [["127.0.0.1"], ["127.0.0.2"]]);
    const result = await runConnectionTest(
      { profile: mailProfile("rebind.attacker.test", imap.port), secrets: {} },
      { timeoutMs: 5_000 },
    );
    expect(step(result, "dns")).toMatchObject({ status: "ok", detail: "rebind.attacker.test → 127.0.0.1." });
    expect(step(result, "tcp")).toMatchObject({ status: "ok", data: { address: "127.0.0.1" } });
    expect(step(result, "greeting").status).toBe("ok");
    expect(lookedUp).toEqual(["rebind.attacker.test"]);
    expect(attempts).toEqual([`127.0.0.1:${imap.port}`]);
    expect(trap.totalConnections()).toBe(0);
  });

  it("mail over TLS: connects to the checked address and verifies the certificate for the host NAME (SNI)", async () => {
    const { runConnectionTest } = await load(rebinding);
    const issued = await ca.issue({ hosts: ["rebind-tls.attacker.test"] });
    const servernames: (string | false | null)[] = [];
    const server = tls.createServer({ cert: issued.certPem, key: issued.keyPem }, (socket) => {
      servernames.push(socket.servername);
      socket.on("error", () => socket.destroy());
      socket.end("* BYE not today\r\n");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    servers.push({ stop: () => new Promise<void>((resolve) => server.close(() => resolve())) });
    const port = (server.address() as net.AddressInfo).port;
    const trap = await started(startSilentServer({ host: "127.0.0.2", port }));
    answers.set("rebind-tls.attacker.test", [["127.0.0.1"], ["127.0.0.2"]]);
    const profile = mailProfile("rebind-tls.attacker.test", port);
    profile.connection.security = "tls";
    profile.connection.trustedCaPem = ca.caPem;
    const result = await runConnectionTest({ profile, secrets: {} }, { timeoutMs: 5_000 });
    expect(step(result, "tcp")).toMatchObject({ status: "ok", data: { address: "127.0.0.1" } });
    expect(step(result, "tls")).toMatchObject({ status: "ok", data: { verification: "verified" } });
    expect(servernames).toEqual(["rebind-tls.attacker.test"]);
    expect(attempts).toEqual([`127.0.0.1:${port}`]);
    expect(trap.totalConnections()).toBe(0);
  });

  it("token: the HTTPS request connects to the address its lookup checked, not to a later answer", async () => {
    const { requestToken } = await load(rebinding);
    const issued = await ca.issue({ hosts: ["login.rebind.test"] });
    const endpoint = await started(startTokenEndpoint({ ca, tenants: [TENANT], apps: [app], serverCertificate: issued }));
    const port = Number(new URL(endpoint.url).port);
    const trap = await started(startSilentServer({ host: "127.0.0.2", port }));
    answers.set("login.rebind.test", [["127.0.0.1"], ["127.0.0.2"]]);
    const result = await requestToken({
      tokenUrl: `https://login.rebind.test:${port}/${TENANT}/oauth2/v2.0/token`,
      method: "client_secret",
      clientAuthentication: "client_secret_post",
      requestProperties: { grant_type: "client_credentials", client_id: CLIENT, scope: "https://outlook.office365.com/.default" },
      clientSecret: SECRET,
      trustedCaPem: ca.caPem,
      timeoutMs: 3_000,
    });
    expect(result).toMatchObject({ ok: true, tokenType: "Bearer" });
    expect(endpoint.requests).toHaveLength(1);
    expect(attempts).toEqual([`127.0.0.1:${port}`]);
    expect(trap.totalConnections()).toBe(0);
  });
});
