import type { Metadata } from "next";
import Link from "next/link";
import { z } from "zod";
import { Button } from "@/components/ui/button";
import { ProfilesTable } from "@/components/profiles/ProfilesTable";
import { ExportButton, ExportSelection } from "@/components/transfer/ExportSelection";
import { listProfiles, sortableColumns } from "@/lib/db/profiles";
import { requireUser } from "@/lib/auth/session";
import { isAdmin, roleAbilities } from "@/lib/auth/permissions";

export const metadata: Metadata = { title: "Profiles" };

const querySchema = z.object({
  q: z.string().max(200).catch(""),
  sort: z.enum(sortableColumns).catch("name"),
  dir: z.enum(["asc", "desc"]).catch("asc"),
  page: z.coerce.number().int().min(1).max(1_000_000).catch(1),
  size: z.coerce.number().int().catch(25),
});

export default async function ProfilesPage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const user = await requireUser();
  const raw = await searchParams;
  const first = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);
  const query = querySchema.parse({
    q: first(raw.q) ?? "",
    sort: first(raw.sort),
    dir: first(raw.dir),
    page: first(raw.page),
    size: first(raw.size),
  });
  const result = await listProfiles(user, {
    search: query.q,
    sort: query.sort,
    direction: query.dir,
    page: query.page,
    pageSize: query.size,
  });
  const selectable = result.items.map(({ id, name, level }) => ({ id, name, level }));
  return (
    // The selection for Export spans the toolbar and the table's checkboxes. Keyed by the rows shown:
    // another page, search or sort starts with nothing ticked.
    <ExportSelection
      key={selectable.map((r) => r.id).join(",")}
      rows={selectable}
      visibleTotal={result.search ? null : result.total}
      managesEverything={isAdmin(user.role)}
    >
      <div className="space-y-4">
        <div className="flex flex-wrap items-center justify-between gap-3">
          <div>
            <h1 className="text-xl font-semibold">Connection profiles</h1>
            <p className="text-sm text-slate-600">Managed Connection Factory settings for reading a mailbox over IMAP or POP3.</p>
          </div>
          <div className="flex flex-wrap items-center gap-2">
            <ExportButton />
            {roleAbilities.importProfiles(user.role) ? (
              <Button asChild variant="secondary">
                <Link href="/profiles/import">Import…</Link>
              </Button>
            ) : null}
            {roleAbilities.createProfile(user.role) ? (
              <Button asChild>
                <Link href="/profiles/new">New profile</Link>
              </Button>
            ) : null}
          </div>
        </div>
        <ProfilesTable result={result} canCreate={roleAbilities.createProfile(user.role)} />
      </div>
    </ExportSelection>
  );
}
