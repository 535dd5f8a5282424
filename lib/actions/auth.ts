"use server";
// Every export of a "use server" file is a public endpoint: only actions live here.
import { APIError } from "better-auth";
import { redirect } from "next/navigation";
import { z } from "zod";
import { getAuth, MIN_PASSWORD_LENGTH } from "@/lib/auth/auth";
import { authHeaders, actorOf, clientIp, getCurrentUser } from "@/lib/auth/session";
import { createFirstOwner } from "@/lib/auth/users";
import { audit } from "@/lib/audit/record";
import { log } from "@/lib/log";

export type AuthFormState = { error?: string; fields?: Record<string, string>; ok?: string } | undefined;

/** Fixed messages for the library's error codes; nothing from an exception reaches the page. */
function messageFor(error: unknown): string {
  if (error instanceof APIError) {
    const code = (error.body as { code?: string } | undefined)?.code;
    switch (code) {
      case "INVALID_EMAIL_OR_PASSWORD":
        return "Wrong email or password.";
      case "USER_DISABLED":
        return "This account is disabled. Ask an admin of this console.";
      case "TOO_MANY_FAILED_SIGN_INS":
        return "Too many failed sign-ins for this account. Try again in 15 minutes.";
      case "INVALID_PASSWORD":
        return "The current password is wrong.";
      case "PASSWORD_TOO_SHORT":
        return `The new password is too short (at least ${MIN_PASSWORD_LENGTH} characters).`;
    }
    if (error.statusCode === 429) return "Too many attempts. Wait a minute and try again.";
  }
  log.error("auth action failed", { error: error instanceof Error ? error.message : String(error) });
  return "Something went wrong on the server. Try again.";
}

const signInSchema = z.object({ email: z.email().max(320), password: z.string().min(1).max(128) });

export async function signInAction(_previous: AuthFormState, form: FormData): Promise<AuthFormState> {
  const parsed = signInSchema.safeParse({ email: form.get("email"), password: form.get("password") });
  if (!parsed.success) return { error: "Enter your email and password." };
  try {
    // nextCookies() copies the session cookie of this call onto the action's response
    await getAuth().api.signInEmail({ body: parsed.data, headers: await authHeaders() });
  } catch (error) {
    return { error: messageFor(error) };
  }
  const next = String(form.get("next") ?? "");
  redirect(next.startsWith("/") && !next.startsWith("//") ? next : "/profiles");
}

export async function signOutAction(): Promise<void> {
  const user = await getCurrentUser();
  await getAuth().api.signOut({ headers: await authHeaders() }).catch(() => undefined);
  if (user) await audit({ actor: actorOf(user), action: "auth.sign_out", object: { type: "session", label: user.email }, ip: await clientIp() });
  redirect("/login");
}

const passwordRule = z.string().min(MIN_PASSWORD_LENGTH, `At least ${MIN_PASSWORD_LENGTH} characters`).max(128, "At most 128 characters");
const setupSchema = z
  .object({
    name: z.string().trim().min(1, "Enter your name").max(100, "At most 100 characters"),
    email: z.email("Enter an email address").max(320),
    password: passwordRule,
    confirm: z.string(),
  })
  .refine((v) => v.password === v.confirm, { path: ["confirm"], message: "The passwords differ" });

function fieldsOf(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) out[String(issue.path[0] ?? "_")] ??= issue.message;
  return out;
}

/** First-run setup: whoever opens a fresh install first becomes its owner (no default password exists). */
export async function setupOwnerAction(_previous: AuthFormState, form: FormData): Promise<AuthFormState> {
  const parsed = setupSchema.safeParse(Object.fromEntries(form));
  if (!parsed.success) return { error: "Check the fields marked below.", fields: fieldsOf(parsed.error) };
  const owner = await createFirstOwner(parsed.data);
  if (!owner) return { error: "This console already has an owner. Sign in instead." };
  await audit({ actor: actorOf(owner), action: "auth.owner_created", object: { type: "user", id: owner.id, label: owner.email }, ip: await clientIp() });
  try {
    await getAuth().api.signInEmail({ body: { email: parsed.data.email, password: parsed.data.password }, headers: await authHeaders() });
  } catch (error) {
    return { error: messageFor(error) };
  }
  redirect("/profiles");
}

const changePasswordSchema = z
  .object({ currentPassword: z.string().min(1, "Enter your current password").max(128), newPassword: passwordRule, confirm: z.string() })
  .refine((v) => v.newPassword === v.confirm, { path: ["confirm"], message: "The passwords differ" });

export async function changePasswordAction(_previous: AuthFormState, form: FormData): Promise<AuthFormState> {
  const user = await getCurrentUser();
  if (!user) redirect("/login");
  const parsed = changePasswordSchema.safeParse(Object.fromEntries(form));
  if (!parsed.success) return { error: "Check the fields marked below.", fields: fieldsOf(parsed.error) };
  try {
    // other devices are signed out; this browser gets a fresh session cookie
    await getAuth().api.changePassword({
      body: { currentPassword: parsed.data.currentPassword, newPassword: parsed.data.newPassword, revokeOtherSessions: true },
      headers: await authHeaders(),
    });
  } catch (error) {
    return { error: messageFor(error) };
  }
  await audit({ actor: actorOf(user), action: "auth.password_changed", object: { type: "user", id: user.id, label: user.email }, ip: await clientIp() });
  return { ok: "Password changed. Other devices were signed out." };
}
