import "server-only";
import { ROLES, type Role } from "@/lib/auth/permissions";
import type { CurrentUser } from "@/lib/auth/session";
import { prisma, type Tx } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { userOperationRefusal, type UserOperation } from "@/lib/users/rules";

export interface ManagedUser {
  id: string;
  name: string;
  email: string;
  role: Role;
  disabled: boolean;
}

export const userLabel = (user: { name: string; email: string }) => `${user.name} <${user.email}>`;

/**
 * The user an operation targets. Read inside the operation's transaction, so the rule check sees
 * the role the change is applied to (not one changed by someone else a moment earlier).
 */
export async function loadManagedUser(db: Tx | typeof prisma, id: string): Promise<ManagedUser> {
  const row = await db.user.findUnique({
    where: { id },
    select: { id: true, name: true, email: true, role: true, disabled: true },
  });
  if (!row) throw new AppError("not_found", "This user no longer exists. Reload the page.");
  // An unknown role (a hand-edited row) can never sign in (lib/auth/session.ts); manage it as a viewer.
  const role = ROLES.includes(row.role as Role) ? (row.role as Role) : "viewer";
  return { ...row, role };
}

/** Throws the rule's plain-language refusal as a "forbidden" error. */
export function assertUserOperation(actor: CurrentUser, target: ManagedUser, operation: UserOperation, newRole?: Role): void {
  const refusal = userOperationRefusal(actor, target, operation, newRole);
  if (refusal) throw new AppError("forbidden", refusal);
}
