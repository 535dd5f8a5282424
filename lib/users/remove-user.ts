import "server-only";
import { audit } from "@/lib/audit/record";
import { actorOf, type CurrentUser } from "@/lib/auth/session";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { assertUserOperation, loadManagedUser, userLabel } from "@/lib/users/managed-user";

export interface RemovalResult {
  profilesHandedOver: number;
  certificatesHandedOver: number;
  sharesRemoved: number;
  sessionsEnded: number;
  handedTo: string;
}

/**
 * Removes a user without losing anything they looked after: in one transaction their profiles and
 * certificates pass to the console owner, the shares given to them and their sessions go, and the
 * user row is deleted. Their audit events stay (actorLabel keeps their name and email), as do the
 * shares they gave to others on profiles that are now the owner's.
 */
export async function removeUser(actor: CurrentUser, userId: string, ip: string | null = null): Promise<RemovalResult> {
  return prisma.$transaction(async (tx) => {
    const target = await loadManagedUser(tx, userId);
    assertUserOperation(actor, target, "remove");
    const owner = await tx.user.findFirst({
      where: { role: "owner" },
      orderBy: { createdAt: "asc" },
      select: { id: true, name: true, email: true },
    });
    // Without an owner there is nobody to hand things to; refusing keeps every profile attached to someone.
    if (!owner) throw new AppError("conflict", "This console has no owner to hand the user's profiles to.");

    const profiles = await tx.profile.updateMany({ where: { ownerId: target.id }, data: { ownerId: owner.id } });
    const certificates = await tx.certificate.updateMany({ where: { createdById: target.id }, data: { createdById: owner.id } });
    const shares = await tx.profileShare.deleteMany({ where: { userId: target.id } });
    const sessions = await tx.session.deleteMany({ where: { userId: target.id } });
    await tx.user.delete({ where: { id: target.id } });

    const result: RemovalResult = {
      profilesHandedOver: profiles.count,
      certificatesHandedOver: certificates.count,
      sharesRemoved: shares.count,
      sessionsEnded: sessions.count,
      handedTo: userLabel(owner),
    };
    await audit(
      {
        actor: actorOf(actor),
        action: "user.removed",
        object: { type: "user", id: target.id, label: userLabel(target) },
        detail: { role: target.role, ...result },
        ip,
      },
      tx,
    );
    return result;
  });
}
