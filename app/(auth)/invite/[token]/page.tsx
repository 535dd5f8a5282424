import type { Metadata } from "next";
import Link from "next/link";
import { AuthForm } from "@/components/auth/AuthForm";
import { Alert } from "@/components/ui/alert";
import { acceptInvitationAction } from "@/lib/actions/users";
import { MIN_PASSWORD_LENGTH } from "@/lib/auth/auth";
import { roleLabels } from "@/lib/auth/permissions";
import { getCurrentUser } from "@/lib/auth/session";
import { INVALID_INVITATION_MESSAGE, findInvitation } from "@/lib/users/accept-invitation";

// The token is a credential: keep the page out of search indexes (Referrer-Policy already keeps it off other sites).
export const metadata: Metadata = { title: "Accept the invitation", robots: { index: false, follow: false } };

export default async function InvitePage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const invitation = await findInvitation(token);
  if (!invitation.valid) {
    return (
      <section aria-labelledby="invite-heading" className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <h1 id="invite-heading" className="text-lg font-semibold">
          This invitation cannot be used
        </h1>
        <p className="mt-2 text-sm text-slate-700">{INVALID_INVITATION_MESSAGE}</p>
        <p className="mt-4 text-sm">
          <Link href="/login" className="font-medium text-blue-700 underline">
            Go to the sign-in page
          </Link>
        </p>
      </section>
    );
  }
  const current = await getCurrentUser();
  return (
    <section aria-labelledby="invite-heading" className="rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
      <h1 id="invite-heading" className="text-lg font-semibold">
        Join MCF Console
      </h1>
      <p className="mt-1 mb-4 text-sm text-slate-600">
        You were invited as <strong className="font-medium text-slate-800">{roleLabels[invitation.role]}</strong>. Choose a
        password to create your account; you are signed in right after.
      </p>
      {current ? (
        <Alert tone="info" className="mb-4">
          This browser is signed in as {current.email}. Accepting signs it in as {invitation.email} instead.
        </Alert>
      ) : null}
      <AuthForm
        action={acceptInvitationAction}
        submitLabel="Create account and sign in"
        hidden={{ token }}
        fields={[
          {
            name: "email",
            label: "Email",
            type: "email",
            autoComplete: "username",
            defaultValue: invitation.email,
            readOnly: true,
            hint: "The address you were invited with",
          },
          { name: "name", label: "Your name", autoComplete: "name", defaultValue: invitation.name },
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
