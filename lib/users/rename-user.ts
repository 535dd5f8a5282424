import "server-only";
import { audit } from "@/lib/audit/record";
import type { CurrentUser } from "@/lib/auth/session";
import { prisma } from "@/lib/db/client";
import { requireDisplayName } from "@/lib/users/display-name";
import { userLabel } from "@/lib/users/managed-user";

/**
 * Changes the signed-in user's own display name. The name becomes the actor label of every later
 * audit event, so the change itself is audited with the old and the new name, under the old label
 * (who made the change is the person known until now). Saving the name it already has is a no-op.
 */
export async function renameSelf(
  actor: CurrentUser,
  rawName: unknown,
  ip: string | null = null,
): Promise<{ changed: boolean; name: string }> {
  const name = requireDisplayName(rawName);
  return prisma.$transaction(async (tx) => {
    const current = await tx.user.findUniqueOrThrow({ where: { id: actor.id }, select: { name: true, email: true } });
    if (current.name === name) return { changed: false, name };
    await tx.user.update({ where: { id: actor.id }, data: { name } });
    await audit(
      {
        actor: { id: actor.id, label: userLabel(current) },
        action: "user.renamed",
        object: { type: "user", id: actor.id, label: current.email },
        detail: { from: current.name, to: name },
        ip,
      },
      tx,
    );
    return { changed: true, name };
  });
}
