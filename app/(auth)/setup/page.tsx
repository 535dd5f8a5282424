import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthForm } from "@/components/auth/AuthForm";
import { setupOwnerAction } from "@/lib/actions/auth";
import { MIN_PASSWORD_LENGTH } from "@/lib/auth/auth";
import { hasAnyUser } from "@/lib/auth/users";

export const metadata: Metadata = { title: "Set up the console" };

export default async function SetupPage() {
  if (await hasAnyUser()) redirect("/login");
  return (
    <section aria-labelledby="setup-heading" className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
      <h1 id="setup-heading" className="text-lg font-semibold">
        Create the owner account
      </h1>
      <p className="mt-1 mb-4 text-sm text-slate-600">
        This console has no users yet. The first account is its owner: it manages users and every profile. There is no default
        password.
      </p>
      <AuthForm
        action={setupOwnerAction}
        submitLabel="Create owner and sign in"
        fields={[
          { name: "name", label: "Your name", autoComplete: "name" },
          { name: "email", label: "Email", type: "email", autoComplete: "username" },
          {
            name: "password",
            label: "Password",
            type: "password",
            autoComplete: "new-password",
            hint: `At least ${MIN_PASSWORD_LENGTH} characters`,
          },
          { name: "confirm", label: "Repeat the password", type: "password", autoComplete: "new-password" },
        ]}
      />
    </section>
  );
}
