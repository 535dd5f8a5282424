import "server-only";
import crypto from "node:crypto";
import { getAuth, MIN_PASSWORD_LENGTH } from "@/lib/auth/auth";
import { ROLES, type Role } from "@/lib/auth/permissions";
import { prisma } from "@/lib/db/client";
import { AppError } from "@/lib/errors";
import { requireDisplayName } from "@/lib/users/display-name";

/**
 * Users are created only here — first-run owner setup and accepted invitations — because public
 * sign-up is off. The password is hashed by better-auth's own hasher, and the user row and its
 * "credential" account are written in the shape better-auth's sign-up writes them.
 */
async function credentialRows(input: { email: string; name: string; password: string; role: Role }) {
  if (!ROLES.includes(input.role)) throw new AppError("invalid_input", "Unknown role.");
  const ctx = await getAuth().$context;
  if (input.password.length < MIN_PASSWORD_LENGTH || input.password.length > 128) {
    throw new AppError("invalid_input", `Choose a password of ${MIN_PASSWORD_LENGTH} to 128 characters.`, {
      password: `At least ${MIN_PASSWORD_LENGTH} characters`,
    });
  }
  const hash = await ctx.password.hash(input.password);
  const id = crypto.randomUUID();
  return {
    id,
    email: input.email.trim().toLowerCase(),
    name: requireDisplayName(input.name),
    role: input.role,
    accounts: { create: { id: crypto.randomUUID(), providerId: "credential", accountId: id, password: hash } },
  };
}

export async function hasAnyUser(): Promise<boolean> {
  return (await prisma.user.count()) > 0;
}

/** The first person to open a fresh install becomes the owner; the check and insert are one transaction. */
export async function createFirstOwner(input: { email: string; name: string; password: string }) {
  const data = await credentialRows({ ...input, role: "owner" });
  return prisma.$transaction(async (tx) => {
    if ((await tx.user.count()) > 0) return null;
    return tx.user.create({ data, select: { id: true, email: true, name: true } });
  });
}

export async function createUserWithPassword(input: { email: string; name: string; password: string; role: Role }) {
  const data = await credentialRows(input);
  try {
    return await prisma.user.create({ data, select: { id: true, email: true, name: true, role: true } });
  } catch (error) {
    if ((error as { code?: string }).code === "P2002")
      throw new AppError("conflict", "A user with this email already exists.", { email: "Already a user" });
    throw error;
  }
}

/** An admin sets someone else's password; their sessions end. */
export async function setUserPassword(userId: string, newPassword: string) {
  if (newPassword.length < MIN_PASSWORD_LENGTH || newPassword.length > 128) {
    throw new AppError("invalid_input", `Choose a password of ${MIN_PASSWORD_LENGTH} to 128 characters.`, {
      password: `At least ${MIN_PASSWORD_LENGTH} characters`,
    });
  }
  const ctx = await getAuth().$context;
  await ctx.internalAdapter.updatePassword(userId, await ctx.password.hash(newPassword));
  await ctx.internalAdapter.deleteUserSessions(userId);
}
