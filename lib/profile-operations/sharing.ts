import "server-only";
import crypto from "node:crypto";
import { prisma } from "@/lib/db/client";
import { audit } from "@/lib/audit/record";
import { requireProfile } from "@/lib/auth/access";
import { actorOf, type CurrentUser } from "@/lib/auth/session";
import type { ShareLevel } from "@/lib/auth/permissions";
import { AppError } from "@/lib/errors";

export interface ShareEntry {
  granteeKey: string;
  /** "Everyone" or the user's name and email */
  label: string;
  level: ShareLevel;
  userId: string | null;
}

export interface ProfileSharing {
  owner: { id: string; label: string } | null;
  shares: ShareEntry[];
  /** users a share can be given to (not the owner, not disabled) */
  candidates: { id: string; label: string; role: string }[];
}

const label = (u: { name: string; email: string }) => `${u.name} <${u.email}>`;

/** Who has what on a profile: shown in the share dialog to those who may manage it. */
export async function getProfileSharing(profileId: string, actor: CurrentUser): Promise<ProfileSharing> {
  await requireProfile(actor, profileId, "share");
  const profile = await prisma.profile.findUniqueOrThrow({
    where: { id: profileId },
    select: {
      owner: { select: { id: true, name: true, email: true } },
      shares: {
        select: { granteeKey: true, level: true, userId: true, user: { select: { name: true, email: true } } },
        orderBy: { createdAt: "asc" },
      },
    },
  });
  const users = await prisma.user.findMany({
    where: { disabled: false },
    select: { id: true, name: true, email: true, role: true },
    orderBy: { name: "asc" },
  });
  return {
    owner: profile.owner ? { id: profile.owner.id, label: label(profile.owner) } : null,
    shares: profile.shares.map((s) => ({
      granteeKey: s.granteeKey,
      userId: s.userId,
      level: s.level as ShareLevel,
      label: s.user ? label(s.user) : "Everyone",
    })),
    candidates: users.filter((u) => u.id !== profile.owner?.id).map((u) => ({ id: u.id, label: label(u), role: u.role })),
  };
}

/** Shares a profile with a user or with everyone ("*"), or changes the level of an existing share. */
export async function setProfileShare(profileId: string, grantee: string, level: ShareLevel, actor: CurrentUser) {
  const access = await requireProfile(actor, profileId, "share");
  let granteeLabel = "Everyone";
  if (grantee !== "*") {
    const user = await prisma.user.findUnique({ where: { id: grantee }, select: { name: true, email: true, disabled: true } });
    if (!user || user.disabled)
      throw new AppError("invalid_input", "Choose an active user.", { grantee: "Choose an active user" });
    granteeLabel = label(user);
  }
  await prisma.$transaction(async (tx) => {
    await tx.profileShare.upsert({
      where: { profileId_granteeKey: { profileId, granteeKey: grantee } },
      create: {
        id: crypto.randomUUID(),
        profileId,
        granteeKey: grantee,
        userId: grantee === "*" ? null : grantee,
        level,
        createdById: actor.id,
      },
      update: { level },
    });
    await audit(
      {
        actor: actorOf(actor),
        action: "profile.shared",
        object: { type: "profile", id: profileId, label: access.name },
        detail: { with: granteeLabel, level },
      },
      tx,
    );
  });
}

export async function removeProfileShare(profileId: string, grantee: string, actor: CurrentUser) {
  const access = await requireProfile(actor, profileId, "share");
  await prisma.$transaction(async (tx) => {
    const share = await tx.profileShare.findUnique({
      where: { profileId_granteeKey: { profileId, granteeKey: grantee } },
      select: { id: true, user: { select: { name: true, email: true } } },
    });
    if (!share) throw new AppError("not_found", "This share no longer exists.");
    await tx.profileShare.delete({ where: { id: share.id } });
    await audit(
      {
        actor: actorOf(actor),
        action: "profile.unshared",
        object: { type: "profile", id: profileId, label: access.name },
        detail: { with: share.user ? label(share.user) : "Everyone" },
      },
      tx,
    );
  });
}
