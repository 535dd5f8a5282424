"use server";
// Every export of a "use server" file is a public endpoint: only actions live here.
import { APIError } from "better-auth";
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { getAuth, MIN_PASSWORD_LENGTH } from "@/lib/auth/auth";
import { safeNextPath } from "@/lib/auth/safe-next-path";
import { authHeaders, actorOf, clientIp, getCurrentUser } from "@/lib/auth/session";
import { throttleMessage, type ThrottleScope } from "@/lib/auth/sign-in-throttle";
import { createFirstOwner } from "@/lib/auth/users";
import { audit } from "@/lib/audit/record";
import { isAppError } from "@/lib/errors";
import { log } from "@/lib/log";
import { displayNameSchema } from "@/lib/users/display-name";
import { renameSelf } from "@/lib/users/rename-user";

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
      case "SIGN_IN_THROTTLED": {
        const { scope, retryAfter } = error.body as { scope?: ThrottleScope; retryAfter?: number };
        return throttleMessage(scope === "address" ? "address" : "account", Number(retryAfter) || 1);
      }
      case "INVALID_NAME":
        return "Choose a name of one line, without < or >.";
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
  redirect(safeNextPath(form.get("next")));
}

export async function signOutAction(): Promise<void> {
  const user = await getCurrentUser();
  await getAuth()
    .api.signOut({ headers: await authHeaders() })
    .catch(() => undefined);
  if (user)
    await audit({
      actor: actorOf(user),
      action: "auth.sign_out",
      object: { type: "session", label: user.email },
      ip: await clientIp(),
    });
  redirect("/login");
}

const passwordRule = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `At least ${MIN_PASSWORD_LENGTH} characters`)
  .max(128, "At most 128 characters");
const setupSchema = z
  .object({
    name: displayNameSchema,
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
  await audit({
    actor: actorOf(owner),
    action: "auth.owner_created",
    object: { type: "user", id: owner.id, label: owner.email },
    ip: await clientIp(),
  });
  try {
    await getAuth().api.signInEmail({
      body: { email: parsed.data.email, password: parsed.data.password },
      headers: await authHeaders(),
    });
  } catch (error) {
    return { error: messageFor(error) };
  }
  redirect("/profiles");
}

const changePasswordSchema = z
  .object({
    currentPassword: z.string().min(1, "Enter your current password").max(128),
    newPassword: passwordRule,
    confirm: z.string(),
  })
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
  await audit({
    actor: actorOf(user),
    action: "auth.password_changed",
    object: { type: "user", id: user.id, label: user.email },
    ip: await clientIp(),
  });
  return { ok: "Password changed. Other devices were signed out." };
}

/** The account page's "Your name" form. */
export async function changeOwnNameAction(_previous: AuthFormState, form: FormData): Promise<AuthFormState> {
  const user = await getCurrentUser();
  if (!user) redirect("/login");
  const parsed = z.object({ name: displayNameSchema }).safeParse({ name: form.get("name") });
  if (!parsed.success) return { error: "Check the field marked below.", fields: fieldsOf(parsed.error) };
  try {
    const { changed } = await renameSelf(user, parsed.data.name, await clientIp());
    revalidatePath("/", "layout");
    return { ok: changed ? "Name changed." : "That is already your name." };
  } catch (error) {
    if (isAppError(error)) return { error: error.userMessage, fields: error.fields };
    return { error: messageFor(error) };
  }
}
