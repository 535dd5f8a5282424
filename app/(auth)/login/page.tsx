import type { Metadata } from "next";
import { redirect } from "next/navigation";
import { AuthForm } from "@/components/auth/AuthForm";
import { signInAction } from "@/lib/actions/auth";
import { DEFAULT_NEXT_PATH, safeNextPath } from "@/lib/auth/safe-next-path";
import { getCurrentUser } from "@/lib/auth/session";
import { hasAnyUser } from "@/lib/auth/users";

export const metadata: Metadata = { title: "Sign in" };

export default async function LoginPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  if (!(await hasAnyUser())) redirect("/setup");
  // the form only ever carries a console path: a hostile `next` is dropped here and again in the action
  const next = safeNextPath((await searchParams).next);
  if (await getCurrentUser()) redirect(next);
  return (
    <section aria-labelledby="login-heading" className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
      <h1 id="login-heading" className="mb-4 text-lg font-semibold">
        Sign in
      </h1>
      <AuthForm
        action={signInAction}
        submitLabel="Sign in"
        hidden={next !== DEFAULT_NEXT_PATH ? { next } : undefined}
        fields={[
          { name: "email", label: "Email", type: "email", autoComplete: "username" },
          { name: "password", label: "Password", type: "password", autoComplete: "current-password" },
        ]}
        footer={<p className="text-xs text-slate-600">No account? Ask an admin of this console for an invitation.</p>}
      />
    </section>
  );
}
