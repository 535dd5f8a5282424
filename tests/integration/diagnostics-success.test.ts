/**
 * runConnectionTest end to end against the real Dovecot and the token-endpoint stand-in: IMAP over
 * TLS with XOAUTH2 (a real token from the stand-in, validated by Dovecot against the stand-in's
 * key), IMAP with STARTTLS and Basic, POP3 over TLS with the two-step AUTH XOAUTH2, POP3 with STLS
 * and Basic, a client certificate. Checks the live events, the properties report, the redacted
 * transcript, and that no secret appears anywhere in a result.
 */
import crypto from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runConnectionTest } from "@/lib/diagnostics/run-test";
import type { TestEvent, TestResult, TestSubject } from "@/lib/diagnostics/types";
import { requestPropertiesFor } from "@/lib/profiles/oauth-defaults";
import { basicInput, oauthSecretInput } from "@/tests/support/profile-fixtures";
import { ALICE, CERT_CLIENT, CLIENT, TENANT, startMailFixture, type MailFixture } from "@/tests/support/mail-fixture";
import { createTestCa, type IssuedCertificate, type TestCa } from "@/tests/support/test-ca";
import type { DovecotServer } from "@/tests/servers/dovecot";
import { waitForNoClientSockets } from "@/tests/servers/fault-servers-sockets";
import { signTestAssertion, type TokenEndpoint } from "@/tests/servers/token-endpoint";

const SECRET = "Qx8~success-secret-0123456789abcdefghij";
const CAROL = { user: "carol@contoso.test", pass: "carol's pässword 1" };

let mail: MailFixture;
let ca: TestCa;
let dovecot: DovecotServer;
let endpoint: TokenEndpoint;
let clientCert: IssuedCertificate;
/** every result of this file, searched for secrets at the end */
const results: TestResult[] = [];

beforeAll(async () => {
  ca = await createTestCa();
  clientCert = await ca.issue({ hosts: ["mail-connector"] });
  mail = await startMailFixture({
    ca,
    apps: [
      { clientId: CLIENT, secrets: [SECRET] },
      { clientId: CERT_CLIENT, certificatesPem: [clientCert.certPem], roles: ["IMAP.AccessAsApp"] },
    ],
    grants: [
      { clientId: CLIENT, mailbox: ALICE },
      { clientId: CERT_CLIENT, mailbox: ALICE },
    ],
    users: [{ username: CAROL.user, password: CAROL.pass }],
    mailboxes: [
      { user: ALICE, messages: 3 },
      { user: CAROL.user, messages: 5 },
    ],
  });
  ({ dovecot, tokens: endpoint } = mail);
});

afterAll(async () => {
  await mail?.stop();
  const json = JSON.stringify(results);
  expect(results.length).toBeGreaterThan(0);
  for (const secret of [SECRET, CAROL.pass, Buffer.from(CAROL.pass).toString("base64"), clientCert.keyPem.split("\n")[1]!])
    expect(json).not.toContain(secret);
  // Access tokens are JWTs: no "eyJ…" header may survive anywhere in a result.
  expect(json).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ/);
  // Masking stays in the transcript: the console's own sentences are never mangled by it.
  for (const result of results) {
    expect(JSON.stringify([result.steps, result.properties, result.summary])).not.toContain("••••••");
  }
});

function oauthProfile(protocol: "imap" | "pop3", port: number, overrides: { user?: string; secret?: string } = {}) {
  const profile = oauthSecretInput({ host: "127.0.0.1", username: overrides.user ?? ALICE, secret: overrides.secret ?? SECRET });
  profile.connection.protocol = protocol;
  profile.connection.port = String(port);
  profile.connection.trustedCaPem = ca.caPem;
  profile.authentication.tokenUrl = `${endpoint.url}/TENANT_ID/oauth2/v2.0/token`;
  profile.authentication.tenantId = TENANT;
  profile.authentication.requestProperties = profile.authentication.requestProperties.map((r) =>
    r.key === "client_id" ? { ...r, value: CLIENT } : r,
  );
  return profile;
}

function basicProfile(protocol: "imap" | "pop3", port: number, security: "tls" | "starttls") {
  const profile = basicInput({ username: CAROL.user, password: CAROL.pass });
  profile.connection.protocol = protocol;
  profile.connection.mailServerUrl = "127.0.0.1";
  profile.connection.port = String(port);
  profile.connection.security = security;
  profile.connection.trustedCaPem = ca.caPem;
  return profile;
}

async function run(subject: TestSubject, options: Parameters<typeof runConnectionTest>[1] = {}) {
  const events: TestEvent[] = [];
  const result = await runConnectionTest(subject, { onEvent: (e) => events.push(e), ...options });
  results.push(result);
  return { result, events };
}

const status = (result: TestResult) => Object.fromEntries(result.steps.map((s) => [s.step, s.status]));

describe("runConnectionTest against Dovecot", () => {
  it("IMAP over TLS with XOAUTH2: a real token from the stand-in opens alice's INBOX", async () => {
    const { result, events } = await run({ profile: oauthProfile("imap", dovecot.ports.imapTls), secrets: {} });
    expect(result.ok, JSON.stringify(result.steps, null, 2)).toBe(true);
    expect(result.summary).toMatch(/^Connected: INBOX holds 3 messages \(\d[\d,]* ms\)$/);
    expect(status(result)).toEqual({
      lint: "ok",
      dns: "ok",
      tcp: "ok",
      tls: "ok",
      greeting: "ok",
      starttls: "skipped",
      token: "ok",
      claims: "ok",
      authenticate: "ok",
      mailbox: "ok",
      logout: "ok",
    });
    const step = (id: string) => result.steps.find((s) => s.step === id)!;
    expect(step("tls").data).toMatchObject({
      protocol: expect.stringMatching(/^TLSv1\.[23]$/),
      verification: "verified",
      issuer: "CN=MCF Test CA",
    });
    expect(step("greeting").data?.capabilities).toContain("AUTH=XOAUTH2");
    expect(step("authenticate").detail).toContain("XOAUTH2");
    expect(step("claims").data).toMatchObject({ roles: ["IMAP.AccessAsApp", "POP.AccessAsApp"], tid: TENANT });
    expect(step("mailbox").data).toMatchObject({ messages: 3 });

    // The live view: the plan first, every step started before it finished, "done" last.
    expect(events[0]).toMatchObject({ type: "plan" });
    expect(events.at(-1)).toMatchObject({ type: "done", result: { ok: true } });
    const started = new Set<string>();
    for (const event of events) {
      if (event.type === "step-start") started.add(event.step);
      if (event.type === "step" && event.result.status !== "skipped") expect(started.has(event.result.step)).toBe(true);
    }
    // One mail connection: DNS/TCP/TLS happened once, and the token request ran alongside it.
    expect(events.filter((e) => e.type === "step-start" && e.step === "tcp")).toHaveLength(1);

    // The transcript masks the SASL payload and shows the token exchange without secrets.
    const lines = result.transcript.map((l) => `${l.channel} ${l.direction} ${l.text}`);
    expect(lines.some((l) => /^imap C \S+ AUTHENTICATE XOAUTH2 ••••••$/.test(l))).toBe(true);
    expect(lines.some((l) => /^token C POST https:\/\/127\.0\.0\.1:\d+\/.+client_secret=••••••/.test(l))).toBe(true);
    expect(lines.some((l) => /^token S HTTP 200: access token of type Bearer; expires in \d+ s$/.test(l))).toBe(true);
    await waitForNoClientSockets([dovecot.ports.imapTls]);
  });

  it("IMAP with STARTTLS and Basic authentication (AUTH=PLAIN), with the TLS details on the STARTTLS step", async () => {
    const { result } = await run({ profile: basicProfile("imap", dovecot.ports.imapStarttls, "starttls"), secrets: {} });
    expect(result.ok, JSON.stringify(result.steps, null, 2)).toBe(true);
    expect(result.summary).toMatch(/^Connected: INBOX holds 5 messages/);
    expect(status(result)).toMatchObject({
      tls: "skipped",
      greeting: "ok",
      starttls: "ok",
      token: "skipped",
      claims: "skipped",
      authenticate: "ok",
    });
    const starttls = result.steps.find((s) => s.step === "starttls")!;
    expect(starttls.data).toMatchObject({ verification: "verified", capabilities: expect.arrayContaining(["AUTH=PLAIN"]) });
    expect(result.steps.find((s) => s.step === "greeting")!.data?.capabilities).toContain("STARTTLS");
    // imapflow sends PLAIN without SASL-IR: the payload is the continuation line, masked.
    const imap = result.transcript.filter((l) => l.channel === "imap").map((l) => `${l.direction} ${l.text}`);
    const auth = imap.findIndex((l) => /^C \S+ AUTHENTICATE PLAIN$/.test(l));
    expect(imap.slice(auth + 1, auth + 3)).toEqual(["S +", "C ••••••"]);
    await waitForNoClientSockets([dovecot.ports.imapStarttls]);
  });

  it("POP3 over TLS with the two-step AUTH XOAUTH2, STAT and QUIT", async () => {
    const { result } = await run({ profile: oauthProfile("pop3", dovecot.ports.pop3Tls), secrets: {} });
    expect(result.ok, JSON.stringify(result.steps, null, 2)).toBe(true);
    expect(result.protocol).toBe("pop3");
    const box = dovecot.mailboxes[ALICE]!;
    expect(result.summary).toMatch(/^Connected: the mailbox holds 3 messages, [\d.]+ (bytes|KB) \(/);
    expect(result.steps.find((s) => s.step === "mailbox")!.data).toEqual({ messages: 3, octets: box.octets });
    const pop = result.transcript.filter((l) => l.channel === "pop3").map((l) => `${l.direction} ${l.text}`);
    // Two-step: the AUTH line carries no payload; the payload line is masked.
    expect(pop).toEqual(expect.arrayContaining(["C AUTH XOAUTH2", "C ••••••", "C STAT", "C QUIT"]));
    await waitForNoClientSockets([dovecot.ports.pop3Tls]);
  });

  it("POP3 with STLS and Basic (USER/PASS)", async () => {
    const { result } = await run({ profile: basicProfile("pop3", dovecot.ports.pop3Starttls, "starttls"), secrets: {} });
    expect(result.ok, JSON.stringify(result.steps, null, 2)).toBe(true);
    expect(status(result)).toMatchObject({ greeting: "ok", starttls: "ok", authenticate: "ok", mailbox: "ok", logout: "ok" });
    expect(result.steps.find((s) => s.step === "authenticate")!.detail).toContain("USER/PASS");
    expect(result.transcript.some((l) => l.channel === "pop3" && l.text === "PASS ••••••")).toBe(true);
    await waitForNoClientSockets([dovecot.ports.pop3Starttls]);
  });

  it("uses the stored secret when the form's field is blank, and the token cache when a cached token is allowed", async () => {
    const profile = oauthProfile("imap", dovecot.ports.imapTls, { secret: "" });
    profile.secrets.stored.client_secret = true;
    const first = await run({ profile, secrets: { client_secret: SECRET }, profileId: "p-cache" }, { freshToken: false });
    expect(first.result.ok, JSON.stringify(first.result.steps, null, 2)).toBe(true);
    const second = await run({ profile, secrets: { client_secret: SECRET }, profileId: "p-cache" }, { freshToken: false });
    expect(second.result.ok).toBe(true);
    expect(second.result.steps.find((s) => s.step === "token")!.data).toMatchObject({ fromCache: true });
    const fresh = await run({ profile, secrets: { client_secret: SECRET }, profileId: "p-cache" });
    expect(fresh.result.steps.find((s) => s.step === "token")!.data).toMatchObject({ fromCache: false });
  });

  it("a client certificate: the console signs the assertion, which appears nowhere in the result", async () => {
    const profile = oauthProfile("imap", dovecot.ports.imapTls);
    profile.authentication.method = "client_certificate";
    profile.authentication.requestProperties = requestPropertiesFor(
      "client_certificate",
      profile.authentication.requestProperties,
    ).map((r) => (r.key === "client_id" ? { ...r, value: CERT_CLIENT } : r));
    profile.authentication.certificate = { ...profile.authentication.certificate, source: "stored", certificateId: "cert-1" };
    const { result } = await run({
      profile,
      secrets: {},
      certificate: { certificatePem: clientCert.certPem, privateKeyPem: clientCert.keyPem },
    });
    expect(result.ok, JSON.stringify(result.steps, null, 2)).toBe(true);
    expect(result.transcript.find((l) => l.channel === "token" && l.direction === "C")!.text).toContain(
      "client_assertion=••••••",
    );
  });

  it("a pasted client assertion is used for the token and appears nowhere in the result", async () => {
    const profile = oauthProfile("imap", dovecot.ports.imapTls);
    const now = Math.floor(Date.now() / 1000);
    const assertion = await signTestAssertion({
      privateKeyPem: clientCert.keyPem,
      certificatePem: clientCert.certPem,
      claims: {
        aud: endpoint.tokenUrl(TENANT),
        iss: CERT_CLIENT,
        sub: CERT_CLIENT,
        jti: crypto.randomUUID(),
        nbf: now,
        iat: now,
        exp: now + 300,
      },
    });
    profile.authentication.method = "client_assertion";
    profile.authentication.requestProperties = requestPropertiesFor(
      "client_assertion",
      profile.authentication.requestProperties,
    ).map((r) =>
      r.key === "client_id" ? { ...r, value: CERT_CLIENT } : r.key === "client_assertion" ? { ...r, value: assertion } : r,
    );
    const { result } = await run({ profile, secrets: {} });
    expect(result.ok, JSON.stringify(result.steps, null, 2)).toBe(true);
    expect(JSON.stringify(result)).not.toContain(assertion);
    expect(JSON.stringify(result)).not.toContain(assertion.split(".")[2]!);
  });

  it("reports applied and ignored JavaMail properties, and honours the read timeout and the TLS range", async () => {
    const profile = oauthProfile("imap", dovecot.ports.imapTls);
    profile.connection.additionalProperties = [
      { key: "mail.imap.ssl.enable", value: "true" },
      { key: "mail.imap.timeout", value: "4000" },
      { key: "mail.imap.ssl.protocols", value: "TLSv1.2" },
      { key: "mail.imap.socketFactory.fallback", value: "true" },
      { key: "mail.imap.partialfetch", value: "false" },
      { key: "mail.pop3.ssl.enable", value: "true" },
      { key: "mail.imaps.ssl.enable", value: "true" },
    ];
    const { result } = await run({ profile, secrets: {} });
    expect(result.ok, JSON.stringify(result.steps, null, 2)).toBe(true);
    expect(result.steps.find((s) => s.step === "lint")!.status).toBe("warn");
    expect(result.steps.find((s) => s.step === "tls")!.data).toMatchObject({ protocol: "TLSv1.2" });
    const applied = Object.fromEntries(result.properties.applied.map((p) => [p.key, p.effect]));
    expect(applied["mail.imap.timeout"]).toMatch(/Read timeout 4,000 ms/);
    expect(applied["mail.imap.ssl.protocols"]).toMatch(/TLSv1\.2–TLSv1\.2/);
    const ignored = Object.fromEntries(result.properties.ignored.map((p) => [p.key, p.reason]));
    expect(ignored["mail.imap.socketFactory.fallback"]).toMatch(/never falls back to plain text/);
    expect(ignored["mail.imap.partialfetch"]).toMatch(/does not download messages/);
    expect(ignored["mail.pop3.ssl.enable"]).toMatch(/IMAP profile/);
    expect(ignored["mail.imaps.ssl.enable"]).toMatch(/mail\.imap\.\*/);
  });
});
