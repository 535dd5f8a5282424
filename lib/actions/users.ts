"use server";
// Every export of a "use server" file is a public endpoint: only actions live here. The rules
// themselves are in lib/users/* so a REST route can apply the same ones.
import { revalidatePath } from "next/cache";
import { redirect } from "next/navigation";
import { z } from "zod";
import { defineAction, definePublicAction } from "@/lib/actions/define-action";
import type { AuthFormState } from "@/lib/actions/auth";
import { getAuth, MIN_PASSWORD_LENGTH } from "@/lib/auth/auth";
import { authHeaders } from "@/lib/auth/session";
import { log } from "@/lib/log";
import { acceptInvitation } from "@/lib/users/accept-invitation";
import { displayNameSchema } from "@/lib/users/display-name";
import { changeUserRole } from "@/lib/users/change-role";
import { inviteUser } from "@/lib/users/invite-user";
import { removeUser } from "@/lib/users/remove-user";
import { resetUserPassword } from "@/lib/users/reset-password";
import { ASSIGNABLE_ROLES } from "@/lib/users/rules";
import { setUserDisabled } from "@/lib/users/set-disabled";
import { unlockSignIn } from "@/lib/users/unlock-sign-in";

const userId = z.string().min(1).max(64);
const password = z
  .string()
  .min(MIN_PASSWORD_LENGTH, `At least ${MIN_PASSWORD_LENGTH} characters`)
  .max(128, "At most 128 characters");
const samePasswords = (v: { password: string; confirm: string }) => v.password === v.confirm;

const inviteSchema = z.object({
  email: z.email("Enter an email address").max(320, "At most 320 characters"),
  name: displayNameSchema,
  role: z.enum(ASSIGNABLE_ROLES, "Choose admin, editor or viewer"),
});

export const inviteUserAction = defineAction("inviteUser", inviteSchema, async (input, { user, ip }) => {
  const invitation = await inviteUser(user, input, ip);
  revalidatePath("/users");
  return invitation;
});

export const changeUserRoleAction = defineAction(
  "changeUserRole",
  z.object({ userId, role: z.enum(ASSIGNABLE_ROLES) }),
  async ({ userId, role }, { user, ip }) => {
    await changeUserRole(user, userId, role, ip);
    revalidatePath("/users");
  },
);

export const disableUserAction = defineAction("disableUser", z.object({ userId }), async ({ userId }, { user, ip }) => {
  await setUserDisabled(user, userId, true, ip);
  revalidatePath("/users");
});

export const enableUserAction = defineAction("enableUser", z.object({ userId }), async ({ userId }, { user, ip }) => {
  await setUserDisabled(user, userId, false, ip);
  revalidatePath("/users");
});

export const removeUserAction = defineAction("removeUser", z.object({ userId }), async ({ userId }, { user, ip }) => {
  const result = await removeUser(user, userId, ip);
  revalidatePath("/users");
  return result;
});

export const resetUserPasswordAction = defineAction(
  "resetUserPassword",
  z
    .object({ userId, password, confirm: z.string() })
    .refine(samePasswords, { path: ["confirm"], message: "The passwords differ" }),
  async ({ userId, password }, { user, ip }) => {
    await resetUserPassword(user, userId, password, ip);
  },
);

export const unlockUserSignInAction = defineAction("unlockUserSignIn", z.object({ userId }), async ({ userId }, { user, ip }) => {
  const result = await unlockSignIn(user, userId, ip);
  revalidatePath("/users");
  return result;
});

const acceptSchema = z
  .object({
    token: z.string().min(1).max(100),
    name: displayNameSchema,
    password,
    confirm: z.string(),
  })
  .refine(samePasswords, { path: ["confirm"], message: "The passwords differ" });

// Not exported: the form below is the only way in. definePublicAction maps errors (safe messages,
// field errors, a reference id for anything unexpected) exactly as for every other action.
const acceptInvitationOnce = definePublicAction("acceptInvitation", acceptSchema, async (input, { ip }) => {
  const user = await acceptInvitation({ token: input.token, name: input.name, password: input.password }, ip);
  try {
    // the same sign-in as first-run setup: nextCookies() puts the session cookie on this response
    await getAuth().api.signInEmail({ body: { email: user.email, password: input.password }, headers: await authHeaders() });
    return { signedIn: true };
  } catch (error) {
    log.error("sign-in after accepting an invitation failed", { error: error instanceof Error ? error.message : String(error) });
    return { signedIn: false };
  }
});

/**
 * The invitation page's form (components/auth/AuthForm: works before JavaScript loads). Signed in
 * as the new user on success; if only the sign-in failed, the account exists and the sign-in page
 * says so.
 */
export async function acceptInvitationAction(_previous: AuthFormState, form: FormData): Promise<AuthFormState> {
  const text = (key: string) => {
    const value = form.get(key);
    return typeof value === "string" ? value : "";
  };
  const result = await acceptInvitationOnce({
    token: text("token"),
    name: text("name"),
    password: text("password"),
    confirm: text("confirm"),
  });
  if (!result.ok) {
    const { message, fields } = result.error;
    return fields ? { error: "Check the fields marked below.", fields } : { error: message };
  }
  redirect(result.data.signedIn ? "/profiles" : "/login");
}
