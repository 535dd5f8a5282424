import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { ProfileForm } from "@/components/profiles/ProfileForm";
import { listCertificates } from "@/lib/certs/certificate-store";
import { requireUser } from "@/lib/auth/session";
import { atLeast, roleAbilities } from "@/lib/auth/permissions";
import { Alert } from "@/components/ui/alert";
import { ShareDialog } from "@/components/profiles/ShareDialog";
import { Button } from "@/components/ui/button";
import { missingSecrets } from "@/lib/profile-operations/revisions";
import { secretFieldLabels } from "@/lib/profiles/secret-fields";
import { lastTestResult } from "@/lib/profile-operations/profile-test";
import { DeleteProfileButton, DuplicateProfileButton } from "@/components/profiles/ProfileRowActions";
import { getProfileForEdit, getProfileName } from "@/lib/db/profiles";

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }): Promise<Metadata> {
  const user = await requireUser();
  const name = await getProfileName((await params).id, user);
  return { title: name ?? "Profile not found" };
}

export default async function EditProfilePage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const user = await requireUser();
  const { id } = await params;
  const query = await searchParams;
  const profile = await getProfileForEdit(id, user);
  if (!profile) notFound();
  const [certificates, lastResult, missing] = await Promise.all([listCertificates(), lastTestResult(id), missingSecrets(id)]);
  const canEdit = atLeast(profile.level, "edit");
  const notice = query.saved
    ? "Profile saved."
    : query.duplicated
      ? "Copy created. Review it and add any secrets it needs."
      : query.restored
        ? `Revision ${String(query.restored)} restored as a new revision.`
        : undefined;
  return (
    <div className="space-y-4">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-600">
        <Link href="/profiles" className="hover:underline">
          Profiles
        </Link>{" "}
        / {profile.input.name}
      </nav>
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-xl font-semibold">{profile.input.name}</h1>
        <div className="flex gap-2">
          <Button asChild variant="secondary">
            <Link href={`/profiles/${profile.id}/history`}>History</Link>
          </Button>
          {profile.level === "manage" ? <ShareDialog profileId={profile.id} profileName={profile.input.name} /> : null}
          {roleAbilities.createProfile(user.role) ? (
            <DuplicateProfileButton id={profile.id} name={profile.input.name} variant="secondary" />
          ) : null}
          {profile.level === "manage" ? (
            <DeleteProfileButton id={profile.id} name={profile.input.name} afterDelete="/profiles" variant="secondary" />
          ) : null}
        </div>
      </div>
      {/* keyed by version: after a save the form starts again from what is stored */}
      {missing.length > 0 ? (
        <Alert tone="warning">
          This profile needs {missing.map((f) => secretFieldLabels[f].toLowerCase()).join(" and ")} before it can be tested
          {canEdit ? ": enter it below and save." : ". Ask someone with Edit access to enter it."}
        </Alert>
      ) : null}
      {!canEdit ? (
        <Alert tone="info">
          You have Use access: you can see this configuration (never its secrets) and run Test. Ask its owner for Edit access to
          change it.
        </Alert>
      ) : null}
      <ProfileForm
        key={profile.version}
        readOnly={!canEdit}
        profileId={profile.id}
        version={profile.version}
        defaultValues={profile.input}
        notice={notice}
        certificates={certificates}
        lastTestResult={lastResult}
        canUseCertificates={roleAbilities.useCertificates(user.role)}
      />
    </div>
  );
}
