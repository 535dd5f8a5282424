/**
 * `mcf test` as a user runs it: the real scripts/mcf.mjs in a child process (tsx, the server-only
 * stub, the "@/" alias), against the real Dovecot and the token stand-in. Exit codes 0/1/2, the
 * --json document and nothing else on stdout, a profile JSON file, a profile stored in this file's
 * temporary SQLite database (by name and by id), --ca-file, --timeout, Ctrl-C.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateCertificate } from "@/lib/certs/certificate-store";
import { prisma } from "@/lib/db/client";
import { createProfile } from "@/lib/profile-operations/profile-service";
import { requestPropertiesFor } from "@/lib/profiles/oauth-defaults";
import { inputToDocument } from "@/lib/profiles/document";
import type { ProfileInput } from "@/lib/profiles/schema";
import { oauthSecretInput } from "@/tests/support/profile-fixtures";
import { ALICE, CERT_CLIENT, CLIENT, TENANT, startMailFixture, type MailFixture } from "@/tests/support/mail-fixture";
import type { TestCa } from "@/tests/support/test-ca";
import type { DovecotServer } from "@/tests/servers/dovecot";
import { startSilentServer, type FaultServer } from "@/tests/servers/fault-servers";
import type { TokenEndpoint } from "@/tests/servers/token-endpoint";

const SECRET = "Cl1~cli-secret-0123456789abcdefghijklmno";
const CAROL = { user: "carol@contoso.test", pass: "carol-cli-pw-1" };
const MCF = path.resolve("scripts/mcf.mjs");

/**
 * Seeds data the way the console's operator does. The service functions are gaining an acting-user
 * parameter; passing the command-line operator keeps these calls valid before and after that change.
 */
const OPERATOR = { id: "cli", name: "mcf CLI", email: "cli@localhost", role: "owner" };
const asOperator =
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  <A, R>(fn: (input: A, ...rest: any[]) => Promise<R>) =>
    (input: A) =>
      (fn as (input: A, actor: unknown) => Promise<R>)(input, OPERATOR);

let mail: MailFixture;
let ca: TestCa;
let dovecot: DovecotServer;
let endpoint: TokenEndpoint;
let silent: FaultServer;
let dir: string;

beforeAll(async () => {
  // A certificate in the console's store (this file's temporary database), uploaded to the stand-in's app.
  const stored = await asOperator(generateCertificate)({
    name: "CLI connector",
    commonName: "cli-connector",
    keySize: 2048,
    validityDays: 30,
  });
  const { certificatePem } = (await prisma.certificate.findUniqueOrThrow({
    where: { id: stored.id },
    select: { certificatePem: true },
  }))!;
  [mail, silent] = await Promise.all([
    startMailFixture({
      apps: [
        { clientId: CLIENT, secrets: [SECRET], roles: ["IMAP.AccessAsApp"] },
        { clientId: CERT_CLIENT, certificatesPem: [certificatePem], roles: ["IMAP.AccessAsApp"] },
      ],
      grants: [
        { clientId: CLIENT, mailbox: ALICE },
        { clientId: CERT_CLIENT, mailbox: ALICE },
      ],
      users: [{ username: CAROL.user, password: CAROL.pass }],
      mailboxes: [{ user: ALICE, messages: 4 }],
    }),
    startSilentServer(),
  ]);
  ({ ca, dovecot, tokens: endpoint } = mail);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "mcf-cli-"));
  fs.writeFileSync(path.join(dir, "ca.pem"), ca.caPem);
});

afterAll(async () => {
  await Promise.all([mail?.stop(), silent?.stop()]);
  fs.rmSync(dir, { recursive: true, force: true });
});

function profile(overrides: { name?: string; trustCa?: boolean } = {}): ProfileInput {
  const input = oauthSecretInput({ name: overrides.name ?? "CLI alice", host: "127.0.0.1", username: ALICE, secret: SECRET });
  input.connection.port = String(dovecot.ports.imapTls);
  input.connection.trustedCaPem = overrides.trustCa === false ? "" : ca.caPem;
  input.authentication.tokenUrl = endpoint.tokenUrl(TENANT);
  input.authentication.tenantId = TENANT;
  input.authentication.requestProperties = input.authentication.requestProperties.map((r) =>
    r.key === "client_id" ? { ...r, value: CLIENT } : r,
  );
  return input;
}

/** A hand-written mcf-profile file: the exported shape, with the secret in clear text. */
function writeProfile(name: string, document: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, JSON.stringify(document, null, 2));
  return file;
}

const documentWithSecret = (input: ProfileInput) => inputToDocument(input, { client_secret: SECRET });

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** `interruptOnceRunning`: Ctrl-C half a second after the test has started (its first line is out). */
function mcf(args: string[], options: { interruptOnceRunning?: boolean } = {}): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    // The child inherits this file's environment: the same temporary database and secret key.
    const child = spawn(process.execPath, [MCF, ...args], {
      cwd: process.cwd(),
      env: { ...process.env, MCF_LOG_LEVEL: "warn" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      const first = stdout === "";
      stdout += chunk;
      if (first && options.interruptOnceRunning) setTimeout(() => child.kill("SIGINT"), 500);
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr, ms: Date.now() - started }));
  });
}

describe("mcf", () => {
  it("mcf --help lists the test command (exit 0); an unknown command is a usage error (exit 2)", async () => {
    const help = await mcf(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: mcf <command>/);
    expect(help.stdout).toMatch(/^ {2}test {2}/m);
    const unknown = await mcf(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
  });

  it("a profile JSON file that connects: exit 0, one JSON document on stdout with ok, steps, summary, properties", async () => {
    const file = writeProfile("alice.json", documentWithSecret(profile()));
    const run = await mcf(["test", file, "--json"]);
    expect(run.code, run.stderr).toBe(0);
    const document = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(document).toMatchObject({
      ok: true,
      summary: expect.stringMatching(/^Connected: INBOX holds 4 messages/),
      properties: { applied: [], ignored: [] },
    });
    expect((document.steps as { step: string }[]).map((s) => s.step)).toEqual([
      "lint",
      "dns",
      "tcp",
      "tls",
      "greeting",
      "starttls",
      "token",
      "claims",
      "authenticate",
      "mailbox",
      "logout",
    ]);
    expect(run.stdout.trim().startsWith("{") && run.stdout.trim().endsWith("}")).toBe(true);
    expect(run.stdout + run.stderr).not.toContain(SECRET);
  });

  it("prints the steps live with ✓/!/✗/–, cause and fix, and exits 1 when the test fails", async () => {
    const input = profile();
    input.authentication.username = "bob@contoso.test";
    const run = await mcf(["test", writeProfile("bob.json", documentWithSecret(input))]);
    expect(run.code).toBe(1);
    const lines = run.stdout.split("\n");
    expect(lines[0]).toMatch(/^Testing .*bob\.json: IMAP 127\.0\.0\.1:\d+, security tls, OAuth2 · client secret$/);
    expect(run.stdout).toMatch(/^✓ DNS lookup +\d+ ms {2}127\.0\.0\.1 is an IP address/m);
    expect(run.stdout).toMatch(/^– STARTTLS {2,}Not needed/m);
    expect(run.stdout).toMatch(/^✗ Authentication +\d[\d,]* ms {2}The server refused the token for bob@contoso\.test/m);
    expect(run.stdout).toMatch(/^ {6}cause: +The token was issued/m);
    expect(run.stdout).toMatch(/^ {6}fix: +Check the Exchange Online set-up/m);
    expect(run.stdout.trim().split("\n").at(-1)).toMatch(/^Authentication failed: /);
    // plan order: greeting is printed before the token although the token may finish first
    expect(run.stdout.indexOf("Greeting and capabilities")).toBeLessThan(run.stdout.indexOf("Access token"));
  });

  it("an invalid profile file: exit 2 with each problem at its JSON path", async () => {
    const document = documentWithSecret(profile()) as unknown as {
      connection: Record<string, unknown>;
      authentication: { requestProperties: Record<string, unknown> };
    };
    document.connection.additionalProperties = { "mail.imap.ssl.enable": "maybe" };
    document.connection.security = "sometimes";
    delete document.authentication.requestProperties.client_id;
    const run = await mcf(["test", writeProfile("invalid.json", document)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/is not a valid mcf-profile document:/);
    // the shape is checked first: a wrong enum value is reported on its own
    expect(run.stderr).toMatch(/^ {2}connection\.security: /m);
    document.connection.security = "tls";
    const rules = await mcf(["test", writeProfile("invalid-rules.json", document)]);
    expect(rules.code).toBe(2);
    run.stderr = rules.stderr;
    expect(run.stderr).toMatch(/^ {2}connection\.additionalProperties\["mail\.imap\.ssl\.enable"\]: Expects true or false$/m);
    expect(run.stderr).toMatch(/^ {2}authentication\.requestProperties: Add the client_id row/m);
    expect(run.stdout).toBe("");
  });

  it("a file whose secret is null: exit 2, supply the client secret; --json still prints one JSON document", async () => {
    const file = writeProfile("null-secret.json", inputToDocument(profile()));
    const run = await mcf(["test", file, "--json"]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/authentication\.requestProperties\.client_secret: null: supply the client secret/);
    expect(JSON.parse(run.stdout)).toMatchObject({
      ok: false,
      issues: [{ path: "authentication.requestProperties.client_secret" }],
    });
  });

  it("a profile stored in the console's database, by name and by id, with its stored secret", async () => {
    const saved = await asOperator(createProfile)(profile({ name: "Stored Alice" }));
    const byName = await mcf(["test", "stored alice", "--json"]);
    expect(byName.code, byName.stderr).toBe(0);
    expect(JSON.parse(byName.stdout)).toMatchObject({ ok: true });
    const byId = await mcf(["test", saved.id]);
    expect(byId.code, byId.stderr).toBe(0);
    expect(byId.stdout).toMatch(/^Testing Stored Alice: /);
    const missing = await mcf(["test", "no such profile"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/No stored profile has the name or id "no such profile"/);
  });

  it("a profile file naming a stored certificate (certificate.ref) signs with the certificate from the database", async () => {
    const document = documentWithSecret(profile()) as unknown as { authentication: Record<string, unknown> };
    document.authentication.method = "client_certificate";
    document.authentication.requestProperties = Object.fromEntries(
      requestPropertiesFor("client_certificate", [{ key: "client_id", value: CERT_CLIENT }]).map((r) => [r.key, r.value]),
    );
    document.authentication.certificate = { ref: "CLI connector" };
    document.authentication.assertion = { algorithm: "PS256" };
    const run = await mcf(["test", writeProfile("certificate.json", document), "--json"]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const unknown = { ...document, authentication: { ...document.authentication, certificate: { ref: "no such certificate" } } };
    const missing = await mcf(["test", writeProfile("certificate-missing.json", unknown)]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/not in the console's certificate store/);
  });

  it("--ca-file trusts a CA for this run; an unreadable one and a bad --timeout are usage errors", async () => {
    const file = writeProfile("untrusted.json", documentWithSecret(profile({ trustCa: false })));
    const without = await mcf(["test", file, "--json"]);
    expect(without.code).toBe(1);
    expect(JSON.parse(without.stdout).summary).toMatch(
      /^TLS handshake failed: The server's certificate is not issued by a trusted certificate authority/,
    );
    const withCa = await mcf(["test", file, "--json", "--ca-file", path.join(dir, "ca.pem")]);
    expect(withCa.code, withCa.stdout).toBe(0);
    const badCa = await mcf(["test", file, "--ca-file", path.join(dir, "missing.pem")]);
    expect(badCa.code).toBe(2);
    const badTimeout = await mcf(["test", file, "--timeout", "soon"]);
    expect(badTimeout.code).toBe(2);
    expect(badTimeout.stderr).toMatch(/--timeout takes a number of seconds/);
  });

  it("--timeout ends a test that waits, and Ctrl-C cancels one; both still report (exit 1)", async () => {
    const input = profile();
    input.authentication.type = "basic";
    input.authentication.username = CAROL.user;
    input.authentication.password = CAROL.pass;
    input.connection.security = "none";
    input.connection.port = String(silent.port);
    const file = writeProfile("silent.json", inputToDocument(input, { password: CAROL.pass }));
    const limited = await mcf(["test", file, "--timeout", "1", "--json"]);
    expect(limited.code).toBe(1);
    expect(JSON.parse(limited.stdout).summary).toBe(
      "Stopped: the test did not finish within its 1 s limit during Greeting and capabilities.",
    );
    const interrupted = await mcf(["test", file], { interruptOnceRunning: true });
    expect(interrupted.code).toBe(1);
    expect(interrupted.stdout).toMatch(/^Cancelled after [\d.]+ m?s during Greeting and capabilities\.$/m);
  });
});
