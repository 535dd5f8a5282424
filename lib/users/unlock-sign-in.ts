import "server-only";
import { audit } from "@/lib/audit/record";
import { actorOf, type CurrentUser } from "@/lib/auth/session";
import { clearAccountThrottle } from "@/lib/auth/sign-in-throttle";
import { prisma } from "@/lib/db/client";
import { assertUserOperation, loadManagedUser } from "@/lib/users/managed-user";

/**
 * Clears the failed sign-in throttle of an account on every address (lib/auth/sign-in-throttle.ts):
 * for someone who mistyped their password too often and cannot wait. The same rules as the other
 * user operations decide who may (lib/users/rules.ts); nothing to clear is a no-op and not logged.
 */
export async function unlockSignIn(
  actor: CurrentUser,
  userId: string,
  ip: string | null = null,
): Promise<{ addressesCleared: number }> {
  const target = await loadManagedUser(prisma, userId);
  assertUserOperation(actor, target, "unlockSignIn");
  const addressesCleared = await clearAccountThrottle(target.email);
  if (addressesCleared > 0) {
    await audit({
      actor: actorOf(actor),
      action: "user.sign_in_unlocked",
      object: { type: "user", id: target.id, label: target.email },
      detail: { addressesCleared },
      ip,
    });
  }
  return { addressesCleared };
}
