import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ProfileForm } from "@/components/profiles/ProfileForm";
import { listCertificates } from "@/lib/certs/certificate-store";
import { lastTestResult } from "@/lib/profiles/profile-test";
import { DeleteProfileButton, DuplicateProfileButton } from "@/components/profiles/ProfileRowActions";
import { getProfileForEdit, getProfileName } from "@/lib/db/profiles";

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  const name = await getProfileName((await params).id);
  return { title: name ?? "Profile not found" };
}

export default async function EditProfilePage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const { id } = await params;
  const query = await searchParams;
  const [profile, certificates, lastResult] = await Promise.all([getProfileForEdit(id), listCertificates(), lastTestResult(id)]);
  if (!profile) notFound();
  const notice = query.saved ? "Profile saved." : query.duplicated ? "Copy created. Review it and add any secrets it needs." : undefined;
  return (
    <div className="space-y-4">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-600">
        <Link href="/profiles" className="hover:underline">Profiles</Link> / {profile.input.name}
      </nav>
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-xl font-semibold">{profile.input.name}</h1>
        <div className="flex gap-2">
          <DuplicateProfileButton id={profile.id} name={profile.input.name} variant="secondary" />
          <DeleteProfileButton id={profile.id} name={profile.input.name} afterDelete="/profiles" variant="secondary" />
        </div>
      </div>
      {/* keyed by version: after a save the form starts again from what is stored */}
      <ProfileForm key={profile.version} profileId={profile.id} version={profile.version} defaultValues={profile.input} notice={notice} certificates={certificates} lastTestResult={lastResult} />
    </div>
  );
}
