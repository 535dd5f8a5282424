import "server-only";
import { MIN_PASSWORD_LENGTH } from "@/lib/auth/auth";
import { createUserWithPassword } from "@/lib/auth/users";
import { audit } from "@/lib/audit/record";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { hashInvitationToken, looksLikeInvitationToken } from "@/lib/users/invitation-token";
import { userLabel } from "@/lib/users/managed-user";
import { ASSIGNABLE_ROLES, type AssignableRole } from "@/lib/users/rules";

/**
 * One message for unknown, expired, used and replaced links alike: telling them apart would only
 * help someone probing links, and the remedy is the same.
 */
export const INVALID_INVITATION_MESSAGE =
  "This invitation link cannot be used. Links work once and for 7 days, and a newer invitation replaces an older one. Ask an admin of this console for a new link.";

export type InvitationLookup = { valid: true; email: string; name: string; role: AssignableRole } | { valid: false };

async function pendingInvitation(token: string, now: Date) {
  if (!looksLikeInvitationToken(token)) return null;
  const row = await prisma.invitation.findUnique({
    where: { tokenHash: hashInvitationToken(token) },
    select: { id: true, email: true, name: true, role: true, expiresAt: true, acceptedAt: true, createdById: true },
  });
  if (!row || row.acceptedAt || row.expiresAt <= now) return null;
  if (!ASSIGNABLE_ROLES.includes(row.role as AssignableRole)) return null;
  return { ...row, role: row.role as AssignableRole };
}

/** What the invitation page shows: the invited email, name and role, or only that the link is not valid. */
export async function findInvitation(token: string): Promise<InvitationLookup> {
  const row = await pendingInvitation(token, new Date());
  return row ? { valid: true, email: row.email, name: row.name, role: row.role } : { valid: false };
}

/**
 * Turns a pending invitation into a user with the invited role. The invitation is claimed first with
 * a conditional update, so two submissions of the same link cannot both create an account; if the
 * account cannot be created after all, the claim is released and the link still works.
 */
export async function acceptInvitation(input: { token: string; name?: string; password: string }, ip: string | null = null) {
  if (input.password.length < MIN_PASSWORD_LENGTH || input.password.length > 128) {
    throw new AppError("invalid_input", `Choose a password of ${MIN_PASSWORD_LENGTH} to 128 characters.`, {
      password: `At least ${MIN_PASSWORD_LENGTH} characters`,
    });
  }
  const now = new Date();
  const invitation = await pendingInvitation(input.token, now);
  if (!invitation) throw new AppError("not_found", INVALID_INVITATION_MESSAGE);
  const claimed = await prisma.invitation.updateMany({
    where: { id: invitation.id, acceptedAt: null, expiresAt: { gt: now } },
    data: { acceptedAt: now },
  });
  if (claimed.count !== 1) throw new AppError("not_found", INVALID_INVITATION_MESSAGE);

  let user: { id: string; email: string; name: string };
  try {
    user = await createUserWithPassword({
      email: invitation.email,
      name: input.name?.trim() || invitation.name,
      password: input.password,
      role: invitation.role,
    });
  } catch (error) {
    await prisma.invitation.updateMany({ where: { id: invitation.id, acceptedAt: now }, data: { acceptedAt: null } });
    throw error;
  }

  const inviter = invitation.createdById
    ? await prisma.user.findUnique({ where: { id: invitation.createdById }, select: { name: true, email: true } })
    : null;
  await audit({
    actor: { id: user.id, label: userLabel(user) },
    action: "user.joined",
    object: { type: "user", id: user.id, label: user.email },
    detail: { role: invitation.role, invitedBy: inviter ? userLabel(inviter) : null },
    ip,
  });
  return { id: user.id, email: user.email, name: user.name, role: invitation.role };
}
