import type { Metadata } from "next";
import Link from "next/link";
import { ProfileForm } from "@/components/profiles/ProfileForm";
import { listCertificates } from "@/lib/certs/certificate-store";
import { requireUser } from "@/lib/auth/session";
import { roleAbilities } from "@/lib/auth/permissions";
import { Alert } from "@/components/ui/alert";
import { newProfileInput } from "@/lib/profiles/defaults";

export const metadata: Metadata = { title: "New profile" };

export default async function NewProfilePage() {
  const user = await requireUser();
  if (!roleAbilities.createProfile(user.role)) {
    return <Alert tone="warning">Viewers cannot create profiles. Ask an admin of this console for the Editor role.</Alert>;
  }
  const certificates = await listCertificates();
  return (
    <div className="space-y-4">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-600">
        <Link href="/profiles" className="hover:underline">
          Profiles
        </Link>{" "}
        / New
      </nav>
      <h1 className="text-xl font-semibold">New connection profile</h1>
      <ProfileForm defaultValues={newProfileInput()} certificates={certificates} />
    </div>
  );
}
