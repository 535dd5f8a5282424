import crypto from "node:crypto";
import fs from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import {
  deleteCertificate,
  exportPrivateKey,
  generateCertificate,
  getCertificateDetails,
  importCertificateFromPem,
  importCertificateFromPfx,
  listCertificates,
  readCertificateKeyMaterial,
} from "@/lib/certs/certificate-store";
import { importPfx } from "@/lib/certs/import";
import { AppError } from "@/lib/errors";
import { createProfile } from "@/lib/profile-operations/profile-service";
import { requestPropertiesFor } from "@/lib/profiles/oauth-defaults";
import { oauthSecretInput } from "../support/profile-fixtures";
import { seedUser } from "../support/users";
import type { CurrentUser } from "@/lib/auth/session";

let owner: CurrentUser;
beforeAll(async () => {
  owner = await seedUser("owner");
});

async function refusal(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error("expected a refusal");
}

function dbBytes() {
  const file = process.env.DATABASE_URL!.replace(/^file:/, "");
  return [file, `${file}-wal`]
    .filter(fs.existsSync)
    .map((f) => fs.readFileSync(f).toString("latin1"))
    .join("");
}

describe("certificate store on real SQLite", () => {
  it("generates a certificate whose private key is stored only encrypted", async () => {
    const { id } = await generateCertificate(
      { name: "Connector", commonName: "mail-connector", keySize: 2048, validityDays: 365 },
      owner,
    );
    const details = (await getCertificateDetails(id, owner))!;
    expect(details).toMatchObject({
      subject: "CN=mail-connector",
      keySize: 2048,
      selfSigned: true,
      expiryStatus: "valid",
      profileCount: 0,
    });
    expect(details.sha1Hex).toMatch(/^[0-9A-F]{40}$/);
    expect(details.sha1Hex).toBe(new crypto.X509Certificate(details.certificatePem).fingerprint.replace(/:/g, ""));
    expect(JSON.stringify(details)).not.toMatch(/PRIVATE KEY/);
    const material = (await readCertificateKeyMaterial(id))!;
    expect(material.privateKeyPem).toMatch(/BEGIN PRIVATE KEY/);
    const keyBody = material.privateKeyPem.split("\n")[1]!;
    expect(dbBytes()).not.toContain(keyBody);
  });

  it("imports PEM, refuses a key that belongs to another certificate, and names the field", async () => {
    const a = (await readCertificateKeyMaterial(
      (await generateCertificate({ name: "A", commonName: "a", keySize: 2048, validityDays: 30 }, owner)).id,
    ))!;
    const b = (await readCertificateKeyMaterial(
      (await generateCertificate({ name: "B", commonName: "b", keySize: 2048, validityDays: 30 }, owner)).id,
    ))!;
    const refused = await refusal(
      importCertificateFromPem({ name: "Mixed", certificatePem: a.certificatePem, privateKeyPem: b.privateKeyPem }, owner),
    );
    expect(refused.fields?.privateKeyPem).toMatch(/does not belong|match/i);
    const { id } = await importCertificateFromPem(
      { name: "Imported A", certificatePem: a.certificatePem, privateKeyPem: a.privateKeyPem },
      owner,
    );
    expect((await getCertificateDetails(id, owner))!.source).toBe("pem");
  });

  it("exports the key only passphrase-protected, and the PFX imports back with the same thumbprint", async () => {
    const { id } = await generateCertificate({ name: "Exportable", commonName: "exp", keySize: 2048, validityDays: 30 }, owner);
    expect((await refusal(exportPrivateKey(id, "pfx", "short", owner))).fields?.passphrase).toMatch(/8 characters/);
    const pfx = await exportPrivateKey(id, "pfx", "correct horse battery", owner);
    const back = importPfx({ pfx: pfx.body, password: "correct horse battery" });
    expect(back.ok && back.certificate.thumbprints.sha1Hex).toBe((await getCertificateDetails(id, owner))!.sha1Hex);
    const pkcs8 = await exportPrivateKey(id, "pkcs8", "correct horse battery", owner);
    expect(pkcs8.body.toString()).toMatch(/BEGIN ENCRYPTED PRIVATE KEY/);
    expect(() => crypto.createPrivateKey({ key: pkcs8.body.toString(), passphrase: "wrong passphrase" })).toThrow();
    expect(crypto.createPrivateKey({ key: pkcs8.body.toString(), passphrase: "correct horse battery" }).asymmetricKeyType).toBe(
      "rsa",
    );
    const { id: again } = await importCertificateFromPfx(
      { name: "From PFX", pfx: pfx.body, password: "correct horse battery" },
      owner,
    );
    expect(
      (await refusal(importCertificateFromPfx({ name: "Wrong pw", pfx: pfx.body, password: "nope nope" }, owner))).fields
        ?.password,
    ).toBeDefined();
    expect((await getCertificateDetails(again, owner))!.source).toBe("pfx");
  });

  it("keeps names unique and refuses to delete a certificate in use", async () => {
    const { id } = await generateCertificate({ name: "In use", commonName: "used", keySize: 2048, validityDays: 30 }, owner);
    expect(
      (await refusal(generateCertificate({ name: "in USE", commonName: "x", keySize: 2048, validityDays: 30 }, owner))).fields
        ?.name,
    ).toMatch(/already exists/);
    const input = oauthSecretInput({ name: "Cert profile" });
    input.authentication.method = "client_certificate";
    input.authentication.requestProperties = requestPropertiesFor("client_certificate", input.authentication.requestProperties);
    input.authentication.certificate = { ...input.authentication.certificate, source: "stored", certificateId: id };
    await createProfile(input, owner);
    expect((await listCertificates()).find((c) => c.id === id)?.profileCount).toBe(1);
    expect((await getCertificateDetails(id, owner))!.profiles.map((p) => p.name)).toEqual(["Cert profile"]);
    expect((await refusal(deleteCertificate(id, owner))).userMessage).toMatch(/1 profile uses this certificate/);

    const unused = await generateCertificate({ name: "Unused", commonName: "u", keySize: 2048, validityDays: 30 }, owner);
    await deleteCertificate(unused.id, owner);
    expect(await getCertificateDetails(unused.id, owner)).toBeNull();
  });

  it("refuses a profile pointing at a certificate that does not exist", async () => {
    const input = oauthSecretInput({ name: "Dangling" });
    input.authentication.method = "client_certificate";
    input.authentication.requestProperties = requestPropertiesFor("client_certificate", input.authentication.requestProperties);
    input.authentication.certificate = { ...input.authentication.certificate, source: "stored", certificateId: "missing" };
    expect((await refusal(createProfile(input, owner))).fields?.["authentication.certificate.certificateId"]).toMatch(
      /no longer exists/,
    );
  });
});
