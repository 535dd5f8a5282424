import "server-only";
import { prisma } from "@/lib/db/client";
import type { Prisma } from "@/generated/prisma/client";
import { AppError } from "@/lib/errors";
import {
  PROFILE_ACTIONS,
  canOnProfile,
  effectiveLevel,
  isAdmin,
  roleAbilities,
  type ProfileAction,
  type ShareLevel,
} from "@/lib/auth/permissions";
import type { CurrentUser } from "@/lib/auth/session";

/** The operator at the command line (CLI): full access, audited as "cli". */
export const CLI_ACTOR: CurrentUser = { id: "cli", name: "mcf CLI", email: "cli@localhost", role: "owner" };

export interface ProfileAccess {
  id: string;
  name: string;
  version: number;
  level: ShareLevel;
}

/** Profiles this user may see at all: everything for owners and admins, else owned or shared ones. */
export function visibleProfilesWhere(user: CurrentUser): Prisma.ProfileWhereInput {
  if (isAdmin(user.role)) return {};
  return { OR: [{ ownerId: user.id }, { shares: { some: { granteeKey: { in: [user.id, "*"] } } } }] };
}

export async function profileLevel(
  user: CurrentUser,
  profileId: string,
): Promise<(ProfileAccess & { ownerId: string | null }) | null> {
  const row = await prisma.profile.findUnique({
    where: { id: profileId },
    select: {
      id: true,
      name: true,
      version: true,
      ownerId: true,
      shares: { where: { granteeKey: { in: [user.id, "*"] } }, select: { granteeKey: true, level: true } },
    },
  });
  if (!row) return null;
  const level = effectiveLevel(user, { ownerId: row.ownerId, shares: row.shares as { granteeKey: string; level: ShareLevel }[] });
  return level ? { id: row.id, name: row.name, version: row.version, ownerId: row.ownerId, level } : null;
}

/**
 * The check every profile operation goes through. A profile the user cannot see is "not found"
 * (its existence is not revealed); one they can see but not change is "forbidden".
 */
export async function requireProfile(user: CurrentUser, profileId: string, action: ProfileAction): Promise<ProfileAccess> {
  const access = await profileLevel(user, profileId);
  if (!access) throw new AppError("not_found", "This profile does not exist, or it is not shared with you.");
  const facts = { ownerId: access.ownerId, shares: [{ granteeKey: user.id, level: access.level }] };
  if (!canOnProfile(user, facts, action)) {
    const needed = PROFILE_ACTIONS[action];
    throw new AppError(
      "forbidden",
      `You have ${access.level} access to this profile; this needs ${needed}. Ask its owner to share it with you as ${needed}.`,
    );
  }
  return { id: access.id, name: access.name, version: access.version, level: access.level };
}

export function requireAbility(user: CurrentUser, ability: keyof typeof roleAbilities, message: string): void {
  if (!roleAbilities[ability](user.role)) throw new AppError("forbidden", message);
}
