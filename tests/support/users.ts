import crypto from "node:crypto";
import { prisma } from "@/lib/db/client";
import type { Role } from "@/lib/auth/permissions";
import type { CurrentUser } from "@/lib/auth/session";

/** A user row for tests that call services directly (no password: they never sign in). */
export async function seedUser(role: Role, name = `${role} ${crypto.randomUUID().slice(0, 6)}`): Promise<CurrentUser> {
  const id = crypto.randomUUID();
  const email = `${name.toLowerCase().replace(/\W+/g, ".")}@example.test`;
  await prisma.user.create({ data: { id, name, email, role } });
  return { id, name, email, role };
}
