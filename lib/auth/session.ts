import "server-only";
import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { getAuth } from "@/lib/auth/auth";
import { clientAddress, withClientAddress } from "@/lib/auth/client-address";
import { ROLES, type Role } from "@/lib/auth/permissions";
import type { AuditActor } from "@/lib/audit/record";

export interface CurrentUser {
  id: string;
  name: string;
  email: string;
  role: Role;
}

export const actorOf = (user: Pick<CurrentUser, "id" | "name" | "email">): AuditActor => ({
  id: user.id,
  label: `${user.name} <${user.email}>`,
});

/**
 * Request headers for auth.api calls, with the Cookie header rebuilt from cookies(): in the render
 * that follows a server action, headers() still carries the request's old Cookie while cookies()
 * already holds what the action set (a fresh sign-in, a rotated session). They carry the resolved
 * client address for better-auth, as the HTTP route's do (lib/auth/client-address.ts).
 */
export async function authHeaders(): Promise<Headers> {
  const copy = withClientAddress(await headers());
  copy.set("cookie", (await cookies()).toString());
  return copy;
}

export async function userFromHeaders(requestHeaders: Headers): Promise<CurrentUser | null> {
  const session = await getAuth().api.getSession({ headers: requestHeaders });
  if (!session) return null;
  const user = session.user as typeof session.user & { role?: string; disabled?: boolean };
  if (user.disabled || !ROLES.includes(user.role as Role)) return null;
  return { id: user.id, name: user.name, email: user.email, role: user.role as Role };
}

/** The signed-in user of this request (one lookup per request), or null. */
export const getCurrentUser = cache(async (): Promise<CurrentUser | null> => userFromHeaders(await authHeaders()));

/** For pages: the signed-in user, or off to the sign-in page (first-run setup when nobody exists yet). */
export async function requireUser(): Promise<CurrentUser> {
  const user = await getCurrentUser();
  if (!user) redirect("/login");
  return user;
}

/** The address this request comes from, for the audit log (lib/auth/client-address.ts decides). */
export async function clientIp(): Promise<string | null> {
  return clientAddress(await headers());
}
