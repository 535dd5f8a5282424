/**
 * Import against a real SQLite file: refusals change nothing, name clashes are resolved by the
 * admin's decisions (rename, skip, replace), and the whole import is one transaction.
 */
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import { getProfileForEdit, readProfileSecrets } from "@/lib/db/profiles";
import { generateSelfSignedCertificate, type GeneratedCertificate } from "@/lib/certs/generate";
import { CLIENT_ASSERTION_TYPE } from "@/lib/profiles/oauth-defaults";
import { createProfile } from "@/lib/profile-operations/profile-service";
import { applyImport } from "@/lib/transfer/apply-import";
import { exportProfiles } from "@/lib/transfer/export-profiles";
import { IMPORT_LIMITS, type ImportErrorCode } from "@/lib/transfer/import-error";
import { parseImportFile, type ParsedDocument } from "@/lib/transfer/parse-import";
import { planImport, readImportTargets, type ImportDecision } from "@/lib/transfer/plan-import";
import { seedUser } from "../support/users";
import type { CurrentUser } from "@/lib/auth/session";
import { basicInput, CLIENT_ID, oauthSecretInput, TENANT_ID } from "../support/profile-fixtures";

let owner: CurrentUser;
beforeAll(async () => {
  owner = await seedUser("owner");
});

const PASSPHRASE = "import passphrase 42";
const ALPHA_SECRET = "alpha-secret-value-0001";

let alphaId: string;
let certificate: GeneratedCertificate;

function secretDocument(name: string, clientSecret: unknown, description?: string) {
  return {
    format: "mcf-profile",
    version: 1,
    name,
    ...(description ? { description } : {}),
    connection: { protocol: "imap", mailServerUrl: "outlook.office365.com", security: "tls" },
    authentication: {
      type: "oauth2",
      username: "support@contoso.com",
      tokenUrl: "https://login.microsoftonline.com/TENANT_ID/oauth2/v2.0/token",
      tenantId: TENANT_ID,
      method: "client_secret",
      requestProperties: {
        grant_type: "client_credentials",
        client_id: CLIENT_ID,
        scope: "https://outlook.office365.com/.default",
        client_secret: clientSecret,
      },
    },
  };
}

function storedCertificateDocument(name: string) {
  const doc = secretDocument(name, null);
  return {
    ...doc,
    authentication: {
      ...doc.authentication,
      method: "client_certificate",
      requestProperties: {
        grant_type: "client_credentials",
        client_id: CLIENT_ID,
        scope: "https://outlook.office365.com/.default",
        client_assertion_type: CLIENT_ASSERTION_TYPE,
      },
      // no privateKeyPassphrase: a stored certificate that travelled inline, to be stored here
      certificate: { certificatePem: certificate.certificatePem, privateKeyPem: certificate.privateKeyPem },
    },
  };
}

/** Everything an import could change, secrets and keys as their ciphertexts. */
async function databaseState() {
  return {
    profiles: await prisma.profile.findMany({
      orderBy: { id: "asc" },
      select: { id: true, name: true, version: true, configJson: true, certificateId: true },
    }),
    secrets: await prisma.profileSecret.findMany({
      orderBy: [{ profileId: "asc" }, { field: "asc" }],
      select: { profileId: true, field: true, ciphertext: true },
    }),
    certificates: await prisma.certificate.findMany({
      orderBy: { id: "asc" },
      select: { id: true, name: true, sha1Hex: true, privateKeyCiphertext: true },
    }),
  };
}

async function parse(value: unknown, passphrase?: string): Promise<ParsedDocument[]> {
  const result = await parseImportFile(typeof value === "string" ? value : JSON.stringify(value), { passphrase });
  if (!result.ok) throw new Error(JSON.stringify(result.errors));
  return result.documents;
}

beforeAll(async () => {
  certificate = await generateSelfSignedCertificate({ commonName: "travelling-certificate", keySize: 2048 });
});

beforeEach(async () => {
  await prisma.profileSecret.deleteMany();
  await prisma.profile.deleteMany();
  await prisma.certificate.deleteMany();
  alphaId = (await createProfile(oauthSecretInput({ name: "Alpha", secret: ALPHA_SECRET }), owner)).id;
  await createProfile(basicInput({ name: "Beta", password: "beta-password" }), owner);
});

describe("refused files change nothing", () => {
  it("refuses a wrong passphrase", async () => {
    const { json } = await exportProfiles("all", { includeSecrets: true, passphrase: PASSPHRASE }, owner);
    await prisma.profileSecret.deleteMany();
    await prisma.profile.deleteMany();
    const before = await databaseState();
    const result = await parseImportFile(json, { passphrase: "a different passphrase" });
    expect(result).toMatchObject({
      ok: false,
      errors: [
        { path: "$[0].authentication.requestProperties.client_secret", code: "wrong_passphrase" },
        { path: "$[1].authentication.password", code: "wrong_passphrase" },
      ],
    });
    expect(await databaseState()).toEqual(before);
  });

  it("refuses a truncated file and a flipped byte in an encrypted secret", async () => {
    const { json } = await exportProfiles("all", { includeSecrets: true, passphrase: PASSPHRASE }, owner);
    const before = await databaseState();
    expect(await parseImportFile(json.slice(0, Math.floor(json.length * 0.7)), { passphrase: PASSPHRASE })).toMatchObject({
      ok: false,
      errors: [{ code: "not_json" }],
    });

    const file = JSON.parse(json) as { authentication: { requestProperties: Record<string, { encrypted: string }> } }[];
    const requestProperties = file[0]!.authentication.requestProperties;
    const raw = Buffer.from(requestProperties.client_secret!.encrypted.slice(3), "base64url");
    raw[raw.length - 3] = raw[raw.length - 3]! ^ 0x01;
    requestProperties.client_secret = { encrypted: `v1:${raw.toString("base64url")}` };
    const flipped = await parseImportFile(JSON.stringify(file), { passphrase: PASSPHRASE });
    expect(flipped).toMatchObject({
      ok: false,
      errors: [{ path: "$[0].authentication.requestProperties.client_secret", code: "damaged_secret" }],
    });
    expect(await databaseState()).toEqual(before);
  });

  it("refuses every hostile case with a clear message", async () => {
    const before = await databaseState();
    const valid = secretDocument("Hostile", null);
    const cases: [string, string, ImportErrorCode][] = [
      ["over 5 MB", JSON.stringify({ ...valid, description: "x".repeat(IMPORT_LIMITS.maxBytes) }), "too_large"],
      [
        "nesting over 32 levels",
        JSON.stringify({ ...valid, description: undefined }).replace(
          '"security"',
          `"x":${"[".repeat(40)}${"]".repeat(40)},"security"`,
        ),
        "too_deep",
      ],
      ["__proto__", JSON.stringify(valid).replace('"name"', '"__proto__":{"isAdmin":true},"name"'), "forbidden_key"],
      [
        "constructor",
        JSON.stringify(valid).replace('"connection":{', '"connection":{"constructor":{"prototype":{}},'),
        "forbidden_key",
      ],
      ["prototype", JSON.stringify([valid]).replace('"security"', '"prototype":1,"security"'), "forbidden_key"],
      ["wrong format", JSON.stringify({ ...valid, format: "mcf-profiles" }), "wrong_format"],
      ["wrong version", JSON.stringify({ ...valid, version: 2 }), "wrong_version"],
      ["not JSON", '{"format": "mcf-profile", ', "not_json"],
      ["empty array", "[]", "empty"],
      [
        "too many documents",
        JSON.stringify(Array.from({ length: IMPORT_LIMITS.maxDocuments + 1 }, (_, i) => ({ ...valid, name: `P${i}` }))),
        "too_many",
      ],
    ];
    for (const [label, text, code] of cases) {
      const result = await parseImportFile(text);
      expect(result.ok, label).toBe(false);
      if (!result.ok) {
        expect(result.errors[0]!.code, label).toBe(code);
        expect(result.errors[0]!.message.length, label).toBeGreaterThan(10);
      }
    }
    expect(({} as Record<string, unknown>).isAdmin).toBeUndefined();
    expect(await databaseState()).toEqual(before);
  });
});

describe("name clashes are the admin's decision", () => {
  it("plans a clash (without regard to case) and refuses to import it without a decision", async () => {
    const parsed = await parse(secretDocument("ALPHA", "other-secret"));
    const plan = planImport(parsed, await readImportTargets());
    expect(plan).toMatchObject({
      decisionsNeeded: 1,
      blocked: 0,
      items: [{ name: "ALPHA", needsDecision: true, clash: { id: alphaId, name: "Alpha", version: 1 } }],
    });
    const before = await databaseState();
    expect(await applyImport(parsed, [], owner)).toEqual({
      ok: false,
      errors: [
        {
          path: "$.name",
          code: "name_clash",
          message: expect.stringMatching(/"Alpha" already exists: choose rename, skip or replace/),
        },
      ],
    });
    expect(await databaseState()).toEqual(before);
  });

  it("rename: imports under the new name", async () => {
    const parsed = await parse(secretDocument("Alpha", "imported-secret"));
    const result = await applyImport(parsed, [{ index: 0, action: "rename", name: "Alpha (imported)" }], owner);
    expect(result).toMatchObject({ ok: true, created: [{ index: 0, name: "Alpha (imported)", version: 1, missingSecrets: [] }] });
    if (!result.ok) return;
    expect(await readProfileSecrets(result.created[0]!.id)).toEqual({ client_secret: "imported-secret" });
    expect(await readProfileSecrets(alphaId)).toEqual({ client_secret: ALPHA_SECRET });
  });

  it("rename: refuses a name that is taken, or blank", async () => {
    const parsed = await parse(secretDocument("Alpha", null));
    expect(await applyImport(parsed, [{ index: 0, action: "rename", name: "beta" }], owner)).toMatchObject({
      ok: false,
      errors: [{ code: "name_clash", message: expect.stringMatching(/"Beta" already exists: choose another name/) }],
    });
    expect(await applyImport(parsed, [{ index: 0, action: "rename", name: "  " }], owner)).toMatchObject({
      ok: false,
      errors: [{ code: "decision", message: expect.stringMatching(/Enter a name/) }],
    });
  });

  it("skip: leaves the existing profile alone and imports the rest", async () => {
    const parsed = await parse([secretDocument("Alpha", "x"), secretDocument("Gamma", null)]);
    const result = await applyImport(parsed, [{ index: 0, action: "skip" }], owner);
    expect(result).toMatchObject({
      ok: true,
      skipped: [{ index: 0, name: "Alpha" }],
      created: [{ index: 1, name: "Gamma", missingSecrets: ["client_secret"] }],
    });
    expect((await getProfileForEdit(alphaId, owner))!.version).toBe(1);
  });

  it("replace: updates the existing profile as a new version, with the imported secret", async () => {
    const parsed = await parse(secretDocument("alpha", "rotated-secret", "Imported from staging"));
    const result = await applyImport(parsed, [{ index: 0, action: "replace", expectedVersion: 1 }], owner);
    expect(result).toMatchObject({
      ok: true,
      replaced: [{ id: alphaId, name: "alpha", version: 2, missingSecrets: [] }],
      created: [],
    });
    const after = (await getProfileForEdit(alphaId, owner))!;
    expect(after).toMatchObject({ version: 2, input: { name: "alpha", description: "Imported from staging" } });
    expect(await readProfileSecrets(alphaId)).toEqual({ client_secret: "rotated-secret" });
    expect(await prisma.profile.count()).toBe(2);
  });

  it("replace without secrets keeps the secret the profile already stores", async () => {
    const parsed = await parse(secretDocument("Alpha", null, "Config only"));
    expect(parsed[0]!.missingSecrets).toEqual(["client_secret"]);
    const result = await applyImport(parsed, [{ index: 0, action: "replace" }], owner);
    expect(result).toMatchObject({ ok: true, replaced: [{ id: alphaId, version: 2, missingSecrets: [] }] });
    expect(await readProfileSecrets(alphaId)).toEqual({ client_secret: ALPHA_SECRET });
    expect((await getProfileForEdit(alphaId, owner))!.input.description).toBe("Config only");
  });

  it("replace: refuses when the profile was saved after the plan, and changes nothing", async () => {
    const parsed = await parse(secretDocument("Alpha", "rotated-secret"));
    const planned = planImport(parsed, await readImportTargets()).items[0]!.clash!.version;
    const dto = (await getProfileForEdit(alphaId, owner))!;
    dto.input.description = "edited by a colleague";
    const { updateProfile } = await import("@/lib/profile-operations/profile-service");
    await updateProfile(alphaId, dto.version, dto.input, owner);
    const before = await databaseState();
    expect(await applyImport(parsed, [{ index: 0, action: "replace", expectedVersion: planned }], owner)).toMatchObject({
      ok: false,
      errors: [{ code: "version_conflict" }],
    });
    expect(await databaseState()).toEqual(before);
  });

  it("replace needs something to replace, and only once", async () => {
    expect(
      await applyImport(await parse(secretDocument("Nobody", null)), [{ index: 0, action: "replace" }], owner),
    ).toMatchObject({ ok: false, errors: [{ code: "decision" }] });
    const twice = await parse([secretDocument("Alpha", null), secretDocument("ALPHA", null)]);
    expect(
      await applyImport(
        twice,
        [
          { index: 0, action: "replace" },
          { index: 1, action: "replace" },
        ],
        owner,
      ),
    ).toMatchObject({ ok: false, errors: [{ path: "$[1].name", code: "decision" }] });
  });

  it("documents with the same name in one file: the second must be renamed or skipped", async () => {
    const parsed = await parse([secretDocument("Delta", null), secretDocument("delta", null)]);
    const plan = planImport(parsed, await readImportTargets());
    expect(plan.items.map((i) => [i.sameNameAs, i.needsDecision])).toEqual([
      [null, false],
      [0, true],
    ]);
    expect(await applyImport(parsed, [], owner)).toMatchObject({
      ok: false,
      errors: [{ path: "$[1].name", code: "name_clash" }],
    });
    const decisions: ImportDecision[] = [{ index: 1, action: "rename", name: "Delta 2" }];
    expect(await applyImport(parsed, decisions, owner)).toMatchObject({
      ok: true,
      created: [{ name: "Delta" }, { name: "Delta 2" }],
    });
  });

  it("refuses a document whose {ref} names no stored certificate here", async () => {
    const doc = storedCertificateDocument("Ref");
    (doc.authentication as Record<string, unknown>).certificate = { ref: "Certificate from elsewhere" };
    const parsed = await parse(doc);
    const plan = planImport(parsed, await readImportTargets());
    expect(plan).toMatchObject({
      blocked: 1,
      items: [{ problems: [{ path: "$.authentication.certificate.ref", code: "certificate" }] }],
    });
    expect(await applyImport(parsed, [], owner)).toMatchObject({ ok: false });
    expect(await applyImport(parsed, [{ index: 0, action: "skip" }], owner)).toMatchObject({
      ok: true,
      created: [],
      skipped: [{ name: "Ref" }],
    });
  });
});

describe("all or nothing", () => {
  it("a failure at document 7 of 10 leaves the database exactly as it was", async () => {
    const file = Array.from({ length: 10 }, (_, i) => {
      if (i === 2) return storedCertificateDocument("Doc 3");
      if (i === 3) return secretDocument("Alpha", "replaced-secret", "replaced by the import");
      return secretDocument(`Doc ${i + 1}`, `secret-${i + 1}`);
    });
    const parsed = await parse(file);
    const decisions: ImportDecision[] = [{ index: 3, action: "replace", expectedVersion: 1 }];
    const before = await databaseState();

    // A real database failure inside the transaction, after six documents (a certificate, a
    // replace and secrets among them) have been written.
    await prisma.$executeRawUnsafe(
      `CREATE TRIGGER fail_doc_7 BEFORE INSERT ON "Profile" WHEN NEW."name" = 'Doc 7' BEGIN SELECT RAISE(ABORT, 'injected failure at document 7'); END`,
    );
    try {
      // (the SQLite adapter reports a trigger's RAISE as a constraint violation, P2003)
      await expect(applyImport(parsed, decisions, owner)).rejects.toMatchObject({
        meta: { driverAdapterError: { cause: { originalMessage: "injected failure at document 7" } } },
      });
    } finally {
      await prisma.$executeRawUnsafe("DROP TRIGGER fail_doc_7");
    }
    expect(await databaseState()).toEqual(before);
    expect(await readProfileSecrets(alphaId)).toEqual({ client_secret: ALPHA_SECRET });

    const retried = await applyImport(parsed, decisions, owner);
    expect(retried).toMatchObject({
      ok: true,
      replaced: [{ id: alphaId, version: 2 }],
      certificates: { created: [{ name: "travelling-certificate" }] },
    });
    if (!retried.ok) return;
    expect(retried.created).toHaveLength(9);
    expect(await prisma.profile.count()).toBe(11);
    expect(await readProfileSecrets(alphaId)).toEqual({ client_secret: "replaced-secret" });
  });

  it("a document that fails validation stops the whole file before anything is written", async () => {
    const file = [
      secretDocument("Epsilon", "s"),
      {
        ...secretDocument("Zeta", "s"),
        connection: { protocol: "imap", mailServerUrl: "outlook.office365.com", security: "none" },
      },
    ];
    const result = await parseImportFile(JSON.stringify(file));
    expect(result).toMatchObject({ ok: false, errors: [{ path: "$[1].connection.security" }] });
    expect(await prisma.profile.count()).toBe(2);
  });
});
