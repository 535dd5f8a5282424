"use client";
import Link from "next/link";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import type { applyImportAction } from "@/lib/actions/transfer";
import { secretFieldLabels } from "@/lib/profiles/secret-fields";

type ApplyResponse = Awaited<ReturnType<typeof applyImportAction>>;
export type ImportSuccess = Extract<Extract<ApplyResponse, { ok: true }>["data"], { ok: true }>;
type Imported = ImportSuccess["created"][number];

function ProfileLinks({ title, profiles }: { title: string; profiles: Imported[] }) {
  if (profiles.length === 0) return null;
  return (
    <div>
      <h3 className="text-sm font-semibold">{title}</h3>
      <ul className="mt-1 space-y-1 text-sm">
        {profiles.map((profile) => (
          <li key={profile.id}>
            <Link href={`/profiles/${profile.id}`} className="font-medium text-blue-700 hover:underline">
              {profile.name}
            </Link>
            {profile.missingSecrets.length > 0 ? (
              <span className="text-slate-700">
                {" "}
                — still needs its {profile.missingSecrets.map((f) => secretFieldLabels[f].toLowerCase()).join(", ")}: open it and
                enter {profile.missingSecrets.length === 1 ? "it" : "them"} before a Test.
              </span>
            ) : null}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function ImportDone({ result, onAnother }: { result: ImportSuccess; onAnother(): void }) {
  const count = result.created.length + result.replaced.length;
  const lacking = [...result.created, ...result.replaced].filter((p) => p.missingSecrets.length > 0).length;
  return (
    <section aria-labelledby="done-heading" className="space-y-4 rounded-lg border border-slate-200 bg-white p-4">
      <h2 id="done-heading" className="text-base font-semibold">
        {count === 1 ? "1 profile imported" : `${count.toLocaleString("en-US")} profiles imported`}
      </h2>
      <Alert tone="success" live>
        Imported {result.created.length} new{result.replaced.length ? `, replaced ${result.replaced.length}` : ""}
        {result.skipped.length ? `, skipped ${result.skipped.length}` : ""}.
        {lacking > 0
          ? ` ${lacking === 1 ? "1 profile still needs" : `${lacking} profiles still need`} secrets the file left out.`
          : ""}
      </Alert>
      <ProfileLinks title="Created" profiles={result.created} />
      <ProfileLinks title="Replaced (a new revision; the history keeps the previous one)" profiles={result.replaced} />
      {result.skipped.length > 0 ? (
        <div>
          <h3 className="text-sm font-semibold">Skipped</h3>
          <p className="text-sm text-slate-700">{result.skipped.map((s) => s.name).join(", ")}</p>
        </div>
      ) : null}
      {result.certificates.created.length + result.certificates.reused.length > 0 ? (
        <div>
          <h3 className="text-sm font-semibold">Certificates</h3>
          <ul className="mt-1 space-y-1 text-sm">
            {result.certificates.created.map((c) => (
              <li key={c.id}>
                Stored{" "}
                <Link href={`/certificates/${c.id}`} className="font-medium text-blue-700 hover:underline">
                  {c.name}
                </Link>
              </li>
            ))}
            {result.certificates.reused.map((c) => (
              <li key={c.id}>
                Reused{" "}
                <Link href={`/certificates/${c.id}`} className="font-medium text-blue-700 hover:underline">
                  {c.name}
                </Link>
                , already stored
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <div className="flex gap-2">
        <Button asChild>
          <Link href="/profiles">Go to profiles</Link>
        </Button>
        <Button variant="secondary" onClick={onAnother}>
          Import another file
        </Button>
      </div>
    </section>
  );
}
