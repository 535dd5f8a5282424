import "server-only";
import crypto from "node:crypto";
import { audit } from "@/lib/audit/record";
import { actorOf, type CurrentUser } from "@/lib/auth/session";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { requireDisplayName } from "@/lib/users/display-name";
import { INVITATION_TTL_MS, newInvitationToken } from "@/lib/users/invitation-token";
import { inviteRefusal, type AssignableRole } from "@/lib/users/rules";

export interface InviteInput {
  email: string;
  name: string;
  role: AssignableRole;
}

export interface CreatedInvitation {
  email: string;
  /** "/invite/<token>": shown once to the inviting admin, never stored or logged */
  path: string;
  expiresAt: string;
  /** a pending invitation for the same email was replaced (its link stopped working) */
  replaced: boolean;
}

/**
 * Creates the one pending invitation for an email (a re-invite replaces the earlier link). There is
 * no mail server: the admin passes the link on, so it is returned here once and only its hash is kept.
 */
export async function inviteUser(actor: CurrentUser, input: InviteInput, ip: string | null = null): Promise<CreatedInvitation> {
  const refusal = inviteRefusal(actor, input.role);
  if (refusal) throw new AppError("forbidden", refusal);
  const email = input.email.trim().toLowerCase();
  const name = requireDisplayName(input.name);
  const { token, tokenHash } = newInvitationToken();
  const expiresAt = new Date(Date.now() + INVITATION_TTL_MS);

  const replaced = await prisma.$transaction(async (tx) => {
    if (await tx.user.findUnique({ where: { email }, select: { id: true } })) {
      throw new AppError("conflict", "A user with this email already exists.", { email: "Already a user of this console" });
    }
    // accepted invitations stay as history; only pending ones (expired or not) are replaced
    const { count } = await tx.invitation.deleteMany({ where: { email, acceptedAt: null } });
    await tx.invitation.create({
      data: { id: crypto.randomUUID(), email, name, role: input.role, tokenHash, expiresAt, createdById: actor.id },
    });
    await audit(
      {
        actor: actorOf(actor),
        action: "user.invited",
        object: { type: "user", label: email },
        // the token (or its hash) never goes into the log: the detail is readable by every admin
        detail: { name, role: input.role, expiresAt: expiresAt.toISOString(), replacedPending: count > 0 },
        ip,
      },
      tx,
    );
    return count > 0;
  });

  return { email, path: `/invite/${token}`, expiresAt: expiresAt.toISOString(), replaced };
}
