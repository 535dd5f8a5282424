import type { Metadata } from "next";
import Link from "next/link";
import { Alert } from "@/components/ui/alert";
import { ImportWizard } from "@/components/transfer/ImportWizard";
import { requireUser } from "@/lib/auth/session";
import { roleAbilities } from "@/lib/auth/permissions";

export const metadata: Metadata = { title: "Import profiles" };

export default async function ImportProfilesPage() {
  const user = await requireUser();
  // the actions refuse viewers too; this only spares them a form they cannot use
  if (!roleAbilities.importProfiles(user.role))
    return <Alert tone="warning">Viewers cannot import profiles. Ask an admin for the Editor role.</Alert>;
  return (
    <div className="space-y-4">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-600">
        <Link href="/profiles" className="hover:underline">
          Profiles
        </Link>{" "}
        / Import
      </nav>
      <div>
        <h1 className="text-xl font-semibold">Import profiles</h1>
        <p className="text-sm text-slate-600">
          An export of this or another console (mcf-profile JSON), or the original product&apos;s <code>key=value</code> settings.
          Nothing is saved until you confirm the last step, and then everything is imported or nothing is.
        </p>
      </div>
      <ImportWizard />
    </div>
  );
}
