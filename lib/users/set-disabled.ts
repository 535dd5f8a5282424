import "server-only";
import { revokeAllApiTokensOf } from "@/lib/api/tokens";
import { audit } from "@/lib/audit/record";
import { actorOf, type CurrentUser } from "@/lib/auth/session";
import { prisma } from "@/lib/db/client";
import { assertUserOperation, loadManagedUser } from "@/lib/users/managed-user";

/**
 * Disables or enables an account. Disabling deletes the user's sessions and revokes their API tokens
 * in the same transaction, so they are signed out on their next request and their scripts stop for
 * good (enabling the account again does not revive a token: they create new ones); sign-in itself
 * refuses disabled users (lib/auth/auth.ts). Their profiles, shares and certificates stay as they are. Setting the state it already has is a
 * no-op (a second admin clicking the same button), and is not logged twice.
 */
export async function setUserDisabled(
  actor: CurrentUser,
  userId: string,
  disabled: boolean,
  ip: string | null = null,
): Promise<{ changed: boolean }> {
  return prisma.$transaction(async (tx) => {
    const target = await loadManagedUser(tx, userId);
    assertUserOperation(actor, target, disabled ? "disable" : "enable");
    if (target.disabled === disabled) return { changed: false };
    await tx.user.update({ where: { id: target.id }, data: { disabled } });
    const sessionsEnded = disabled ? (await tx.session.deleteMany({ where: { userId: target.id } })).count : 0;
    const apiTokensRevoked = disabled ? await revokeAllApiTokensOf(tx, actor, target, "user_disabled", ip) : 0;
    await audit(
      {
        actor: actorOf(actor),
        action: disabled ? "user.disabled" : "user.enabled",
        object: { type: "user", id: target.id, label: target.email },
        detail: disabled ? { sessionsEnded, apiTokensRevoked } : undefined,
        ip,
      },
      tx,
    );
    return { changed: true };
  });
}
