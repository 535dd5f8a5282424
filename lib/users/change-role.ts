import "server-only";
import { audit } from "@/lib/audit/record";
import { actorOf, type CurrentUser } from "@/lib/auth/session";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { assertUserOperation, loadManagedUser } from "@/lib/users/managed-user";
import type { AssignableRole } from "@/lib/users/rules";

/**
 * Gives a user another role. It applies from their next request: the session looks the role up in
 * the database every time (no role in the cookie), so nothing else needs revoking.
 */
export async function changeUserRole(
  actor: CurrentUser,
  userId: string,
  role: AssignableRole,
  ip: string | null = null,
): Promise<void> {
  await prisma.$transaction(async (tx) => {
    const target = await loadManagedUser(tx, userId);
    assertUserOperation(actor, target, "changeRole", role);
    if (target.role === role)
      throw new AppError("conflict", `${target.name} is already ${role === "admin" ? "an admin" : `a ${role}`}.`);
    await tx.user.update({ where: { id: target.id }, data: { role } });
    await audit(
      {
        actor: actorOf(actor),
        action: "user.role_changed",
        object: { type: "user", id: target.id, label: target.email },
        detail: { from: target.role, to: role },
        ip,
      },
      tx,
    );
  });
}
