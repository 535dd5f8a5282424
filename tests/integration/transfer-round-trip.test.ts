/**
 * Export → import into a fresh database → identical configuration, for every kind of profile,
 * with and without secrets. "Fresh" = the tables are emptied between export and import, so nothing
 * of the original rows, ids or certificates can leak into the result.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import { getProfileForEdit, readProfileSecrets } from "@/lib/db/profiles";
import { generateCertificate, importCertificateFromPem, readCertificateKeyMaterial } from "@/lib/certs/certificate-store";
import { exportEncryptedPkcs8 } from "@/lib/certs/export";
import { generateSelfSignedCertificate, type GeneratedCertificate } from "@/lib/certs/generate";
import { AppError } from "@/lib/errors";
import { CLIENT_ASSERTION_TYPE, requestPropertiesFor } from "@/lib/profiles/oauth-defaults";
import { createProfile } from "@/lib/profile-operations/profile-service";
import type { ProfileInput } from "@/lib/profiles/schema";
import { noStoredSecrets, type SecretField } from "@/lib/profiles/secret-fields";
import { applyImport } from "@/lib/transfer/apply-import";
import { exportProfiles } from "@/lib/transfer/export-profiles";
import { parseImportFile } from "@/lib/transfer/parse-import";
import { planImport, readImportTargets } from "@/lib/transfer/plan-import";
import { seedUser } from "../support/users";
import type { CurrentUser } from "@/lib/auth/session";
import { basicInput, CLIENT_ID, oauthSecretInput } from "../support/profile-fixtures";

let owner: CurrentUser;
beforeAll(async () => {
  owner = await seedUser("owner");
});

const PASSPHRASE = "move these profiles safely";
const PASTED_KEY_PASSPHRASE = "pasted-key-passphrase-123";
const JWT = "eyJhbGciOiJSUzI1NiIsIng1dCI6ImFiYyJ9.eyJhdWQiOiJodHRwczovL2xvZ2luIn0.c2lnbmF0dXJlLXZhbHVl";

const SECRETS = {
  password: "Basic-Password!42",
  clientSecret: "Zx8~Q-client-secret-value-1234567890",
};

let storedCertificateId: string;
let storedMaterial: { certificatePem: string; privateKeyPem: string };
let pasted: GeneratedCertificate;
let pastedEncryptedKey: string;
let plainPasted: GeneratedCertificate;

function withClientId(rows: { key: string; value: string }[]) {
  return rows.map((r) => (r.key === "client_id" ? { ...r, value: CLIENT_ID } : r));
}

function inputs(): ProfileInput[] {
  const basic = basicInput({ name: "Basic POP3", password: SECRETS.password, username: "alice" });
  basic.description = "Legacy mailbox over STARTTLS";
  basic.connection = {
    ...basic.connection,
    protocol: "pop3",
    mailServerUrl: "pop.contoso.example",
    port: "110",
    security: "starttls",
  };
  basic.connection.additionalProperties = [{ key: "mail.pop3.starttls.required", value: "true" }];

  const secret = oauthSecretInput({ name: "Client secret", secret: SECRETS.clientSecret });
  secret.connection.additionalProperties = [{ key: "mail.imap.connectiontimeout", value: "10000" }];
  secret.connection.trustedCaPem = pasted.certificatePem;
  secret.authentication.clientAuthentication = "client_secret_basic";

  const assertion = oauthSecretInput({ name: "Pasted assertion" });
  assertion.authentication.method = "client_assertion";
  assertion.authentication.requestProperties = withClientId(requestPropertiesFor("client_assertion")).map((r) =>
    r.key === "client_assertion" ? { ...r, value: JWT } : r,
  );

  const stored = oauthSecretInput({ name: "Stored certificate" });
  stored.authentication.method = "client_certificate";
  stored.authentication.requestProperties = withClientId(requestPropertiesFor("client_certificate"));
  stored.authentication.certificate = {
    source: "stored",
    certificateId: storedCertificateId,
    certificatePem: "",
    privateKeyPem: "",
    privateKeyPassphrase: "",
  };
  stored.authentication.assertion = { algorithm: "RS256", lifetimeSeconds: "300" };

  const pem = oauthSecretInput({ name: "Pasted PEM with passphrase" });
  pem.authentication.method = "client_certificate";
  pem.authentication.requestProperties = withClientId(requestPropertiesFor("client_certificate"));
  pem.authentication.certificate = {
    source: "pem",
    certificateId: "",
    certificatePem: pasted.certificatePem,
    privateKeyPem: pastedEncryptedKey,
    privateKeyPassphrase: PASTED_KEY_PASSPHRASE,
  };

  const plainPem = oauthSecretInput({ name: "Pasted PEM" });
  plainPem.authentication.method = "client_certificate";
  plainPem.authentication.requestProperties = withClientId(requestPropertiesFor("client_certificate"));
  plainPem.authentication.certificate = {
    source: "pem",
    certificateId: "",
    certificatePem: plainPasted.certificatePem,
    privateKeyPem: plainPasted.privateKeyPem,
    privateKeyPassphrase: "",
  };

  return [basic, secret, assertion, stored, pem, plainPem];
}

/** Every value a secret of the fixtures has, for the leak check. */
function allSecretValues(): string[] {
  const keyLines = (pem: string) => pem.split("\n").filter((l) => l && !l.startsWith("-----"));
  return [
    SECRETS.password,
    SECRETS.clientSecret,
    JWT,
    PASTED_KEY_PASSPHRASE,
    ...keyLines(pastedEncryptedKey),
    ...keyLines(plainPasted.privateKeyPem),
    ...keyLines(storedMaterial.privateKeyPem),
  ];
}

interface Snapshot {
  input: ProfileInput;
  secrets: Partial<Record<SecretField, string>>;
  certificate?: { sha1Hex: string; certificatePem: string; privateKeyPem: string };
}

/** The configuration by profile name, with the stored certificate named by thumbprint rather than id. */
async function snapshot(): Promise<Map<string, Snapshot>> {
  const out = new Map<string, Snapshot>();
  for (const { id, name } of await prisma.profile.findMany({ select: { id: true, name: true } })) {
    const { input } = (await getProfileForEdit(id, owner))!;
    const entry: Snapshot = { input, secrets: await readProfileSecrets(id) };
    if (
      input.authentication.method === "client_certificate" &&
      input.authentication.certificate.source === "stored" &&
      input.authentication.type === "oauth2"
    ) {
      const certificateId = input.authentication.certificate.certificateId;
      const row = await prisma.certificate.findUniqueOrThrow({ where: { id: certificateId }, select: { sha1Hex: true } });
      entry.certificate = { sha1Hex: row.sha1Hex, ...(await readCertificateKeyMaterial(certificateId))! };
      input.authentication.certificate.certificateId = `sha1:${row.sha1Hex}`;
    }
    out.set(name, entry);
  }
  return out;
}

async function wipe() {
  await prisma.profileSecret.deleteMany();
  await prisma.profile.deleteMany();
  await prisma.certificate.deleteMany();
}

async function importText(json: string, passphrase?: string) {
  const parsed = await parseImportFile(json, { passphrase });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  const plan = planImport(parsed.documents, await readImportTargets());
  const applied = await applyImport(parsed.documents, [], owner);
  if (!applied.ok) throw new Error(JSON.stringify(applied.errors));
  return { parsed: parsed.documents, plan, applied };
}

let original: Map<string, Snapshot>;

beforeAll(async () => {
  [pasted, plainPasted] = await Promise.all([
    generateSelfSignedCertificate({ commonName: "pasted-with-passphrase", keySize: 2048 }),
    generateSelfSignedCertificate({ commonName: "pasted-plain", keySize: 2048 }),
  ]);
  pastedEncryptedKey = exportEncryptedPkcs8(pasted.privateKeyPem, PASTED_KEY_PASSPHRASE);
  storedCertificateId = (
    await generateCertificate(
      { name: "Connector certificate", commonName: "mail-connector", keySize: 2048, validityDays: 365 },
      owner,
    )
  ).id;
  storedMaterial = (await readCertificateKeyMaterial(storedCertificateId))!;
});

async function createAll() {
  await wipe();
  storedCertificateId = (await importCertificateFromPem({ name: "Connector certificate", ...storedMaterial }, owner)).id;
  for (const input of inputs()) await createProfile(input, owner);
  original = await snapshot();
  expect(original.size).toBe(6);
}

describe("export → import into a fresh database", () => {
  it("with secrets: identical configuration and secrets, and no secret in clear in the file", async () => {
    await createAll();
    const exported = await exportProfiles("all", { includeSecrets: true, passphrase: PASSPHRASE }, owner);
    expect(exported.fileName).toMatch(/^mcf-profiles-\d{4}-\d{2}-\d{2}\.json$/);
    expect(Array.isArray(JSON.parse(exported.json))).toBe(true);
    for (const value of allSecretValues()) expect(exported.json, "a secret in clear in the export").not.toContain(value);
    expect(exported.json).not.toMatch(/PRIVATE KEY/);
    // every secret of every kind travelled, encrypted
    expect(exported.json.match(/"encrypted": "v1:/g)).toHaveLength(7);

    await wipe();
    const { parsed, plan, applied } = await importText(exported.json, PASSPHRASE);
    expect(parsed.every((d) => d.missingSecrets.length === 0)).toBe(true);
    expect(plan.decisionsNeeded).toBe(0);
    expect(plan.items.find((i) => i.name === "Stored certificate")!.certificate).toMatchObject({
      action: "store",
      subject: "CN=mail-connector",
    });
    expect(applied).toMatchObject({ ok: true, replaced: [], skipped: [] });
    if (!applied.ok) return;
    expect(applied.created).toHaveLength(6);
    expect(applied.certificates.created).toEqual([{ id: expect.any(String), name: "mail-connector" }]);

    const imported = await snapshot();
    expect([...imported.keys()].sort()).toEqual([...original.keys()].sort());
    for (const [name, before] of original) expect(imported.get(name), name).toEqual(before);
  });

  it("without secrets: identical configuration, and every left-out secret listed as missing", async () => {
    await createAll();
    const exported = await exportProfiles("all", { includeSecrets: false }, owner);
    for (const value of allSecretValues()) expect(exported.json).not.toContain(value);
    expect(exported.json).not.toMatch(/"encrypted"/);

    await wipe();
    const { parsed, plan, applied } = await importText(exported.json);
    const missing = Object.fromEntries(plan.items.map((i) => [i.name, i.missingSecrets]));
    expect(missing).toEqual({
      "Basic POP3": ["password"],
      "Client secret": ["client_secret"],
      "Pasted assertion": ["client_assertion"],
      // not in this database and its key was left out: the profile keeps the certificate and asks for the key
      "Stored certificate": ["private_key"],
      "Pasted PEM with passphrase": ["private_key", "private_key_passphrase"],
      "Pasted PEM": ["private_key"],
    });
    expect(parsed.find((d) => d.name === "Stored certificate")!.certificate).toMatchObject({ privateKeyPem: null });
    expect(plan.items.find((i) => i.name === "Stored certificate")!.certificate).toMatchObject({ action: "keep_in_profile" });
    if (!applied.ok) return;
    expect(Object.fromEntries(applied.created.map((p) => [p.name, p.missingSecrets]))).toEqual(missing);
    expect(await prisma.profileSecret.count()).toBe(0);

    const imported = await snapshot();
    for (const [name, before] of original) {
      const after = imported.get(name)!;
      expect(after.secrets, name).toEqual({});
      const expected = structuredClone(before.input);
      expected.secrets.stored = { ...noStoredSecrets };
      expected.authentication.password = "";
      expected.authentication.requestProperties = expected.authentication.requestProperties.map((r) =>
        r.key === "client_secret" || r.key === "client_assertion" ? { ...r, value: "" } : r,
      );
      if (name === "Stored certificate") {
        expected.authentication.certificate = {
          source: "pem",
          certificateId: "",
          certificatePem: storedMaterial.certificatePem.trim(),
          privateKeyPem: "",
          privateKeyPassphrase: "",
        };
      }
      expect(after.input, name).toEqual(expected);
    }
  });

  it("without secrets into a database that already stores the certificate: the profile reuses it", async () => {
    await createAll();
    const exported = await exportProfiles("all", { includeSecrets: false }, owner);
    await wipe();
    const existing = await importCertificateFromPem({ name: "Already here", ...storedMaterial }, owner);
    const { plan, applied } = await importText(exported.json);
    expect(plan.items.find((i) => i.name === "Stored certificate")).toMatchObject({
      missingSecrets: [],
      certificate: { action: "reuse", certificate: { id: existing.id, name: "Already here" } },
    });
    expect(applied.ok && applied.certificates).toEqual({ created: [], reused: [{ id: existing.id, name: "Already here" }] });
    expect((await snapshot()).get("Stored certificate")).toEqual(original.get("Stored certificate"));
    expect(await prisma.certificate.count()).toBe(1);
  });

  it("stores a certificate shared by several profiles once", async () => {
    await createAll();
    const second = inputs()[3]!;
    second.name = "Stored certificate, second user";
    await createProfile(second, owner);
    const exported = await exportProfiles("all", { includeSecrets: true, passphrase: PASSPHRASE }, owner);
    await wipe();
    const { applied } = await importText(exported.json, PASSPHRASE);
    expect(applied.ok && applied.certificates.created).toHaveLength(1);
    const ids = await prisma.profile.findMany({ where: { certificateId: { not: null } }, select: { certificateId: true } });
    expect(new Set(ids.map((r) => r.certificateId)).size).toBe(1);
    expect(ids).toHaveLength(2);
  });

  it("exports one profile as a single document, named after it", async () => {
    await createAll();
    const id = (await prisma.profile.findFirstOrThrow({ where: { name: "Client secret" }, select: { id: true } })).id;
    const exported = await exportProfiles([id], { includeSecrets: false }, owner);
    expect(exported.fileName).toBe("client-secret.mcf-profile.json");
    expect(JSON.parse(exported.json)).toMatchObject({
      format: "mcf-profile",
      version: 1,
      name: "Client secret",
      authentication: { requestProperties: { client_secret: null } },
    });
    expect(exported.documents).toHaveLength(1);
  });

  it("refuses a short passphrase and unknown ids", async () => {
    await expect(exportProfiles("all", { includeSecrets: true, passphrase: "short" }, owner)).rejects.toMatchObject({
      code: "invalid_input",
      fields: { passphrase: expect.stringMatching(/8 characters/) },
    });
    await expect(exportProfiles(["no-such-id"], { includeSecrets: false }, owner)).rejects.toBeInstanceOf(AppError);
    await expect(exportProfiles([], { includeSecrets: false }, owner)).rejects.toMatchObject({ code: "invalid_input" });
  });
});

describe("exported documents", () => {
  it("carry a stored certificate inline without privateKeyPassphrase, and pasted key material with it", async () => {
    await createAll();
    const { documents } = await exportProfiles("all", { includeSecrets: false }, owner);
    const byName = new Map(documents.map((d) => [d.name, d.authentication]));
    expect(byName.get("Stored certificate")).toMatchObject({
      certificate: { certificatePem: storedMaterial.certificatePem, privateKeyPem: null },
    });
    const stored = byName.get("Stored certificate");
    expect(stored?.type === "oauth2" && stored.certificate && "privateKeyPassphrase" in stored.certificate).toBe(false);
    expect(byName.get("Pasted PEM with passphrase")).toMatchObject({
      certificate: { privateKeyPem: null, privateKeyPassphrase: null },
    });
    expect(byName.get("Pasted PEM")).toMatchObject({ certificate: { privateKeyPem: null, privateKeyPassphrase: "" } });
    expect(byName.get("Pasted assertion")).toMatchObject({
      requestProperties: { client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: null },
    });
  });
});
