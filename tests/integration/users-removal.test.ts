import crypto from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import type { CurrentUser } from "@/lib/auth/session";
import { prisma } from "@/lib/db/client";
import { createProfile } from "@/lib/profile-operations/profile-service";
import { setProfileShare } from "@/lib/profile-operations/sharing";
import { removeUser } from "@/lib/users/remove-user";
import { basicInput } from "../support/profile-fixtures";
import { seedUser } from "../support/users";

let owner: CurrentUser;
let admin: CurrentUser;

beforeAll(async () => {
  owner = await seedUser("owner", "Olivia Owner");
  admin = await seedUser("admin", "Adam Admin");
});

/** A certificate row as the store writes it; the key material is irrelevant to ownership. */
async function certificateBy(userId: string, name: string) {
  const id = crypto.randomUUID();
  await prisma.certificate.create({
    data: {
      id,
      name,
      nameKey: name.toLowerCase(),
      subject: `CN=${name}`,
      issuer: `CN=${name}`,
      serialNumber: "01",
      notBefore: new Date(),
      notAfter: new Date(Date.now() + 86_400_000),
      keySize: 2048,
      sha1Hex: "00",
      x5t: "AA",
      sha256Hex: "00",
      x5tS256: "AA",
      certificatePem: "-",
      privateKeyCiphertext: "v1:test",
      source: "generated",
      createdById: userId,
    },
  });
  return id;
}

describe("removing a user hands everything to the owner", () => {
  it("moves their profiles and certificates to the owner in one go, drops their shares and sessions, keeps their audit events", async () => {
    const leaver = await seedUser("editor", "Lena Leaver");
    const own1 = await createProfile(basicInput({ name: "Lena inbox 1", password: "mailbox-password" }), leaver);
    const own2 = await createProfile(basicInput({ name: "Lena inbox 2", password: "mailbox-password" }), leaver);
    const sharedWithHer = await createProfile(basicInput({ name: "Team inbox", password: "mailbox-password" }), owner);
    await setProfileShare(sharedWithHer.id, leaver.id, "edit", owner);
    // a share she gave a colleague on her own profile stays: the profile is the owner's now
    const colleague = await seedUser("viewer", "Colin Colleague");
    await setProfileShare(own1.id, colleague.id, "use", leaver);
    const certificate = await certificateBy(leaver.id, "Lena cert");
    await prisma.session.create({
      data: {
        id: crypto.randomUUID(),
        token: crypto.randomUUID(),
        userId: leaver.id,
        expiresAt: new Date(Date.now() + 3600_000),
      },
    });
    const herEventsBefore = await prisma.auditEvent.findMany({ where: { actorId: leaver.id }, orderBy: { at: "asc" } });
    expect(herEventsBefore.length).toBeGreaterThanOrEqual(3);

    const result = await removeUser(admin, leaver.id, "192.0.2.10");

    expect(result).toEqual({
      profilesHandedOver: 2,
      certificatesHandedOver: 1,
      sharesRemoved: 1,
      sessionsEnded: 1,
      handedTo: `Olivia Owner <${owner.email}>`,
    });
    expect(await prisma.user.findUnique({ where: { id: leaver.id } })).toBeNull();
    expect(await prisma.account.count({ where: { userId: leaver.id } })).toBe(0);
    for (const id of [own1.id, own2.id])
      expect((await prisma.profile.findUniqueOrThrow({ where: { id } })).ownerId).toBe(owner.id);
    expect((await prisma.certificate.findUniqueOrThrow({ where: { id: certificate } })).createdById).toBe(owner.id);
    expect(await prisma.profileShare.count({ where: { userId: leaver.id } })).toBe(0);
    expect(await prisma.profileShare.count({ where: { profileId: own1.id, userId: colleague.id } })).toBe(1);
    expect(await prisma.session.count({ where: { userId: leaver.id } })).toBe(0);
    // history survives: her events still name her, and the profiles' revisions still credit her
    expect(await prisma.auditEvent.findMany({ where: { actorId: leaver.id }, orderBy: { at: "asc" } })).toEqual(herEventsBefore);
    expect(herEventsBefore.every((e) => e.actorLabel === `Lena Leaver <${leaver.email}>`)).toBe(true);
    expect(await prisma.profileRevision.count({ where: { authorId: leaver.id } })).toBe(2);

    const removed = await prisma.auditEvent.findFirstOrThrow({ where: { action: "user.removed", objectId: leaver.id } });
    expect(removed).toMatchObject({
      actorId: admin.id,
      objectType: "user",
      objectLabel: `Lena Leaver <${leaver.email}>`,
      ip: "192.0.2.10",
    });
    expect(JSON.parse(removed.detail!)).toEqual({ role: "editor", ...result });
  });

  it("changes nothing when there is no owner to hand things to", async () => {
    const leaver = await seedUser("viewer", "Vic Viewer");
    const profile = await createProfile(basicInput({ name: "Vic inbox", password: "mailbox-password" }), {
      ...leaver,
      role: "editor",
    });
    await prisma.user.update({ where: { id: owner.id }, data: { role: "admin" } });
    try {
      await expect(removeUser(admin, leaver.id)).rejects.toMatchObject({ code: "conflict" });
    } finally {
      await prisma.user.update({ where: { id: owner.id }, data: { role: "owner" } });
    }
    expect(await prisma.user.count({ where: { id: leaver.id } })).toBe(1);
    expect((await prisma.profile.findUniqueOrThrow({ where: { id: profile.id } })).ownerId).toBe(leaver.id);
    expect(await prisma.auditEvent.count({ where: { action: "user.removed", objectId: leaver.id } })).toBe(0);
  });
});
