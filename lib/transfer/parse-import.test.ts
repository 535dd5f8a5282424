import { beforeAll, describe, expect, it } from "vitest";
import { generateSelfSignedCertificate, type GeneratedCertificate } from "@/lib/certs/generate";
import { CLIENT_ASSERTION_TYPE } from "@/lib/profiles/oauth-defaults";
import { parseImportFile } from "@/lib/transfer/parse-import";
import { deriveEnvelopeKey, sealSecret, type EnvelopeKey } from "@/lib/transfer/passphrase-envelope";

const PASSPHRASE = "export passphrase 1";
const CLIENT_ID = "11111111-1111-1111-1111-111111111111";
const TENANT = "00000000-0000-0000-0000-000000000000";

let key: EnvelopeKey;
let certificate: GeneratedCertificate;
let otherCertificate: GeneratedCertificate;
beforeAll(async () => {
  [key, certificate, otherCertificate] = await Promise.all([
    deriveEnvelopeKey(PASSPHRASE),
    generateSelfSignedCertificate({ commonName: "transfer-unit", keySize: 2048 }),
    generateSelfSignedCertificate({ commonName: "transfer-other", keySize: 2048 }),
  ]);
});

const connection = {
  protocol: "imap",
  mailServerUrl: "outlook.office365.com",
  port: 993,
  security: "tls",
  additionalProperties: {},
  trustedCaPem: null,
};
const oauth = {
  type: "oauth2",
  username: "support@contoso.com",
  tokenUrl: "https://login.microsoftonline.com/TENANT_ID/oauth2/v2.0/token",
  tenantId: TENANT,
};

function secretDocument(name: string, clientSecret: unknown) {
  return {
    format: "mcf-profile",
    version: 1,
    name,
    connection,
    authentication: {
      ...oauth,
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

function basicDocument(name: string, password: unknown) {
  return {
    format: "mcf-profile",
    version: 1,
    name,
    connection: { ...connection, port: 143, security: "starttls" },
    authentication: { type: "basic", username: "alice", password },
  };
}

function certificateDocument(name: string, material: Record<string, unknown>) {
  return {
    format: "mcf-profile",
    version: 1,
    name,
    connection,
    authentication: {
      ...oauth,
      method: "client_certificate",
      requestProperties: {
        grant_type: "client_credentials",
        client_id: CLIENT_ID,
        scope: "https://outlook.office365.com/.default",
        client_assertion_type: CLIENT_ASSERTION_TYPE,
      },
      certificate: material,
      assertion: { algorithm: "PS256" },
    },
  };
}

const encrypted = (value: string, field: Parameters<typeof sealSecret>[2]) => ({ encrypted: sealSecret(value, key, field) });

async function parsed(value: unknown, options?: { passphrase?: string }) {
  const result = await parseImportFile(JSON.stringify(value), options);
  if (!result.ok) throw new Error(JSON.stringify(result.errors, null, 2));
  return result.documents;
}

async function refused(value: unknown, options?: { passphrase?: string }) {
  const result = await parseImportFile(typeof value === "string" ? value : JSON.stringify(value), options);
  if (result.ok) throw new Error("expected a refusal");
  return result.errors;
}

describe("parseImportFile", () => {
  it("types clear secrets into the form input and lists null ones as missing", async () => {
    const [clear, missing] = await parsed([secretDocument("Clear", "hand-written-secret"), basicDocument("Missing", null)]);
    expect(clear!.input.authentication.requestProperties).toContainEqual({ key: "client_secret", value: "hand-written-secret" });
    expect(clear!.missingSecrets).toEqual([]);
    expect(missing).toMatchObject({ index: 1, path: "$[1]", name: "Missing", missingSecrets: ["password"] });
    expect(missing!.input.authentication.password).toBe("");
  });

  it("decrypts secrets with the passphrase", async () => {
    const [document] = await parsed(basicDocument("Encrypted", encrypted("pw-1", "password")), { passphrase: PASSPHRASE });
    expect(document!.input.authentication.password).toBe("pw-1");
    expect(document!.missingSecrets).toEqual([]);
  });

  it("asks for the passphrase, naming every encrypted field", async () => {
    const file = [secretDocument("A", encrypted("s", "client_secret")), basicDocument("B", encrypted("p", "password"))];
    expect(await refused(file)).toEqual([
      {
        path: "$[0].authentication.requestProperties.client_secret",
        code: "passphrase_required",
        message: expect.stringMatching(/passphrase/),
      },
      { path: "$[1].authentication.password", code: "passphrase_required", message: expect.stringMatching(/passphrase/) },
    ]);
  });

  it("refuses a wrong passphrase, naming every field", async () => {
    const file = [secretDocument("A", encrypted("s", "client_secret")), basicDocument("B", encrypted("p", "password"))];
    expect(await refused(file, { passphrase: "not the passphrase" })).toEqual([
      {
        path: "$[0].authentication.requestProperties.client_secret",
        code: "wrong_passphrase",
        message: expect.stringMatching(/Wrong passphrase/),
      },
      { path: "$[1].authentication.password", code: "wrong_passphrase", message: expect.stringMatching(/Wrong passphrase/) },
    ]);
  });

  it("tells a damaged secret from a wrong passphrase when the file's other secrets decrypt", async () => {
    const good = encrypted("s", "client_secret");
    const raw = Buffer.from(encrypted("p", "password").encrypted.slice(3), "base64url");
    raw[raw.length - 1] = raw[raw.length - 1]! ^ 0x80;
    const file = [
      secretDocument("A", good),
      basicDocument("B", { encrypted: `v1:${raw.toString("base64url")}` }),
      basicDocument("C", { encrypted: "v1:abc" }),
    ];
    expect(await refused(file, { passphrase: PASSPHRASE })).toEqual([
      { path: "$[1].authentication.password", code: "damaged_secret", message: expect.stringMatching(/altered/) },
      { path: "$[2].authentication.password", code: "damaged_secret", message: expect.stringMatching(/too short/) },
    ]);
  });

  it("refuses an encrypted secret moved into another field", async () => {
    const moved = encrypted("pw", "password");
    expect(
      await refused([secretDocument("A", encrypted("s", "client_secret")), secretDocument("B", moved)], {
        passphrase: PASSPHRASE,
      }),
    ).toEqual([expect.objectContaining({ path: "$[1].authentication.requestProperties.client_secret", code: "damaged_secret" })]);
  });

  it("checks decrypted values against the same rules as typed ones", async () => {
    const errors = await refused(basicDocument("A", encrypted("line\nbreak", "password")), { passphrase: PASSPHRASE });
    expect(errors).toEqual([
      expect.objectContaining({ path: "$.authentication.password", message: expect.stringMatching(/Line breaks/) }),
    ]);
  });

  it("recognises a stored certificate that travelled inline (no privateKeyPassphrase) and checks its key", async () => {
    const [stored] = await parsed(
      certificateDocument("Stored", {
        certificatePem: certificate.certificatePem,
        privateKeyPem: encrypted(certificate.privateKeyPem, "private_key"),
      }),
      {
        passphrase: PASSPHRASE,
      },
    );
    expect(stored!.certificate).toMatchObject({
      privateKeyPem: certificate.privateKeyPem,
      subject: "CN=transfer-unit",
      expiryStatus: "valid",
    });
    expect(stored!.certificate!.sha1Hex).toMatch(/^[0-9A-F]{40}$/);

    const [withoutKey] = await parsed(
      certificateDocument("No key", { certificatePem: certificate.certificatePem, privateKeyPem: null }),
    );
    expect(withoutKey!.certificate).toMatchObject({ privateKeyPem: null, sha1Hex: stored!.certificate!.sha1Hex });
    expect(withoutKey!.missingSecrets).toEqual(["private_key"]);

    const mismatch = await refused(
      certificateDocument("Mixed", { certificatePem: certificate.certificatePem, privateKeyPem: otherCertificate.privateKeyPem }),
    );
    expect(mismatch).toEqual([
      expect.objectContaining({
        path: "$.authentication.certificate.privateKeyPem",
        code: "certificate",
        message: expect.stringMatching(/does not belong/),
      }),
    ]);

    const garbage = await refused(
      certificateDocument("Garbage", {
        certificatePem: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----",
        privateKeyPem: null,
      }),
    );
    expect(garbage).toEqual([
      expect.objectContaining({ path: "$.authentication.certificate.certificatePem", code: "certificate" }),
    ]);
  });

  it("keeps key material pasted into a profile in the profile", async () => {
    const [pasted] = await parsed(
      certificateDocument("Pasted", {
        certificatePem: certificate.certificatePem,
        privateKeyPem: null,
        privateKeyPassphrase: "",
      }),
    );
    expect(pasted!.certificate).toBeUndefined();
    expect(pasted!.input.authentication.certificate).toMatchObject({ source: "pem", certificatePem: certificate.certificatePem });
    expect(pasted!.missingSecrets).toEqual(["private_key"]);
    const [withPassphrase] = await parsed(
      certificateDocument("Pasted 2", {
        certificatePem: certificate.certificatePem,
        privateKeyPem: null,
        privateKeyPassphrase: null,
      }),
    );
    expect(withPassphrase!.missingSecrets).toEqual(["private_key", "private_key_passphrase"]);
  });

  it("reads pasted properties with their name and notes", async () => {
    const text = `Protocol=IMAP\nMailserverURL=outlook.office365.com\nMailServer Port=993\nAuthentication Type=OAUTH2\nUsername=support@contoso.com\nToken URL=https://login.microsoftonline.com/${TENANT}/oauth2/v2.0/token\nclient_id=${CLIENT_ID}\nclient_secret=pasted`;
    const result = await parseImportFile(text, { name: "From the old console" });
    expect(result).toMatchObject({
      ok: true,
      source: "properties",
      documents: [{ name: "From the old console", missingSecrets: [] }],
    });
    if (result.ok) expect(result.documents[0]!.notes.join()).toMatch(/Security TLS from port 993/);
  });
});
