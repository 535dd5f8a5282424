import "server-only";
import { audit } from "@/lib/audit/record";
import { actorOf, type CurrentUser } from "@/lib/auth/session";
import { setUserPassword } from "@/lib/auth/users";
import { prisma } from "@/lib/db/client";
import { assertUserOperation, loadManagedUser } from "@/lib/users/managed-user";

/**
 * An admin sets a new password for someone who lost theirs and passes it on; the user's sessions end
 * (setUserPassword), so whoever held the old password is signed out everywhere.
 */
export async function resetUserPassword(
  actor: CurrentUser,
  userId: string,
  newPassword: string,
  ip: string | null = null,
): Promise<void> {
  const target = await loadManagedUser(prisma, userId);
  assertUserOperation(actor, target, "resetPassword");
  const sessions = await prisma.session.count({ where: { userId: target.id } });
  await setUserPassword(target.id, newPassword);
  await audit({
    actor: actorOf(actor),
    action: "user.password_reset",
    object: { type: "user", id: target.id, label: target.email },
    detail: { sessionsEnded: sessions },
    ip,
  });
}
