/**
 * 1,000 profiles (the most one file may hold) export with secrets and import back in one
 * transaction in reasonable time: one scrypt run per file, not per secret.
 */
import crypto from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { prisma } from "@/lib/db/client";
import { secretContext } from "@/lib/db/profiles";
import { encryptSecret, fingerprintSecret } from "@/lib/crypto/secrets";
import { applyImport } from "@/lib/transfer/apply-import";
import { exportProfiles } from "@/lib/transfer/export-profiles";
import { IMPORT_LIMITS } from "@/lib/transfer/import-error";
import { profileColumns } from "@/lib/profile-operations/profile-service";
import { parseImportFile } from "@/lib/transfer/parse-import";
import { oauthSecretInput } from "../support/profile-fixtures";
import { seedUser } from "../support/users";
import type { CurrentUser } from "@/lib/auth/session";

let owner: CurrentUser;
beforeAll(async () => {
  owner = await seedUser("owner");
});

const COUNT = IMPORT_LIMITS.maxDocuments;

describe("export and import at the file limit", () => {
  it(`exports ${COUNT} profiles with secrets and imports them into an empty database`, async () => {
    // seeded directly: a thousand createProfile calls would test the profile service, not transfer
    const profiles = Array.from({ length: COUNT }, (_, i) => ({
      id: crypto.randomUUID(),
      secret: `secret-${i}-${crypto.randomBytes(6).toString("hex")}`,
      i,
    }));
    await prisma.profile.createMany({
      data: profiles.map(({ id, i }) => ({
        id,
        ...profileColumns(oauthSecretInput({ name: `Inbox ${String(i).padStart(4, "0")}` })),
      })),
    });
    await prisma.profileSecret.createMany({
      data: profiles.map(({ id, secret }) => ({
        profileId: id,
        field: "client_secret",
        ciphertext: encryptSecret(secret, secretContext(id, "client_secret")),
        fingerprint: fingerprintSecret(secret),
      })),
    });

    let started = performance.now();
    const exported = await exportProfiles("all", { includeSecrets: true, passphrase: "a passphrase for a thousand" }, owner);
    const exportMs = performance.now() - started;
    expect(exported.documents).toHaveLength(COUNT);
    expect(exported.json).not.toContain(profiles[500]!.secret);

    await prisma.profileSecret.deleteMany();
    await prisma.profile.deleteMany();
    started = performance.now();
    const parsed = await parseImportFile(exported.json, { passphrase: "a passphrase for a thousand" });
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors.slice(0, 3)));
    const applied = await applyImport(parsed.documents, [], owner);
    const importMs = performance.now() - started;
    expect(applied.ok && applied.created).toHaveLength(COUNT);
    expect(await prisma.profileSecret.count()).toBe(COUNT);

    // generous bounds for slow CI machines; locally both take a few seconds
    expect(exportMs).toBeLessThan(15_000);
    expect(importMs).toBeLessThan(45_000);
    console.info(`transfer scale: export ${Math.round(exportMs)} ms, import ${Math.round(importMs)} ms for ${COUNT} profiles`);
  }, 120_000);
});
