import type { Metadata } from "next";
import Link from "next/link";
import { AuthForm } from "@/components/auth/AuthForm";
import { changeOwnNameAction, changePasswordAction } from "@/lib/actions/auth";
import { MIN_PASSWORD_LENGTH } from "@/lib/auth/auth";
import { roleLabels } from "@/lib/auth/permissions";
import { requireUser } from "@/lib/auth/session";
import { DISPLAY_NAME_MAX } from "@/lib/users/display-name";

export const metadata: Metadata = { title: "Your account" };

export default async function AccountPage() {
  const user = await requireUser();
  return (
    <div className="max-w-lg space-y-4">
      <h1 className="text-xl font-semibold">Your account</h1>
      <dl className="grid grid-cols-[8rem_1fr] gap-y-1 rounded-lg border border-slate-200 bg-white p-5 text-sm">
        <dt className="font-medium text-slate-700">Name</dt>
        <dd>{user.name}</dd>
        <dt className="font-medium text-slate-700">Email</dt>
        <dd>{user.email}</dd>
        <dt className="font-medium text-slate-700">Role</dt>
        <dd>{roleLabels[user.role]}</dd>
      </dl>
      <p className="text-sm">
        <Link href="/account/tokens" className="font-medium text-blue-700 underline">
          API tokens
        </Link>{" "}
        — personal tokens for scripts that use the REST API.
      </p>
      <section aria-labelledby="name-heading" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="name-heading" className="mb-3 text-base font-semibold">
          Your name
        </h2>
        <AuthForm
          action={changeOwnNameAction}
          submitLabel="Change name"
          fields={[
            {
              name: "name",
              label: "Name",
              autoComplete: "name",
              defaultValue: user.name,
              hint: `Shown to other users and in the audit log; at most ${DISPLAY_NAME_MAX} characters, one line`,
            },
          ]}
        />
      </section>
      <section aria-labelledby="password-heading" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="password-heading" className="mb-3 text-base font-semibold">
          Change password
        </h2>
        <AuthForm
          action={changePasswordAction}
          submitLabel="Change password"
          fields={[
            { name: "currentPassword", label: "Current password", type: "password", autoComplete: "current-password" },
            {
              name: "newPassword",
              label: "New password",
              type: "password",
              autoComplete: "new-password",
              hint: `At least ${MIN_PASSWORD_LENGTH} characters`,
            },
            { name: "confirm", label: "Repeat the new password", type: "password", autoComplete: "new-password" },
          ]}
        />
      </section>
    </div>
  );
}
