import type { Metadata } from "next";
import Link from "next/link";
import { Button } from "@/components/ui/button";
import { ExpiryBadge } from "@/components/certificates/ExpiryBadge";
import { listCertificates } from "@/lib/certs/certificate-store";
import { requireUser } from "@/lib/auth/session";
import { roleAbilities } from "@/lib/auth/permissions";

export const metadata: Metadata = { title: "Certificates" };

export default async function CertificatesPage() {
  const user = await requireUser();
  const certificates = await listCertificates();
  const canAdd = roleAbilities.useCertificates(user.role);
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <div>
          <h1 className="text-xl font-semibold">Certificates</h1>
          <p className="text-sm text-slate-600">
            App-registration certificates for OAuth2 Method 2: the console signs a fresh client assertion with the private key for
            every token request.
          </p>
          <p className="text-sm text-slate-600">
            Every Editor, Admin and the Owner can use a stored certificate in their profiles: that is as strong as reading every
            mailbox its app registration may open. Viewers cannot.
          </p>
        </div>
        {canAdd ? (
          <div className="flex gap-2">
            <Button asChild variant="secondary">
              <Link href="/certificates/new?mode=pem">Import</Link>
            </Button>
            <Button asChild>
              <Link href="/certificates/new">Generate certificate</Link>
            </Button>
          </div>
        ) : null}
      </div>
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
        <table className="w-full min-w-[48rem] text-left text-sm">
          <caption className="sr-only">Stored certificates</caption>
          <thead className="border-b border-slate-200 bg-slate-50 text-xs text-slate-600 uppercase">
            <tr>
              <th scope="col" className="px-3 py-2 font-semibold">
                Name
              </th>
              <th scope="col" className="px-3 py-2 font-semibold">
                Subject
              </th>
              <th scope="col" className="px-3 py-2 font-semibold">
                Thumbprint (SHA-1)
              </th>
              <th scope="col" className="px-3 py-2 font-semibold">
                Validity
              </th>
              <th scope="col" className="px-3 py-2 font-semibold">
                Used by
              </th>
            </tr>
          </thead>
          <tbody className="divide-y divide-slate-100">
            {certificates.length === 0 ? (
              <tr>
                <td colSpan={5} className="px-3 py-8 text-center text-slate-600">
                  No certificates yet.{" "}
                  <Link className="font-medium text-blue-700 underline" href="/certificates/new">
                    Generate one
                  </Link>{" "}
                  or{" "}
                  <Link className="font-medium text-blue-700 underline" href="/certificates/new?mode=pfx">
                    import a PFX
                  </Link>
                  .
                </td>
              </tr>
            ) : (
              certificates.map((c) => (
                <tr key={c.id} className="hover:bg-slate-50">
                  <td className="px-3 py-2 font-medium">
                    <Link href={`/certificates/${c.id}`} className="text-blue-700 hover:underline">
                      {c.name}
                    </Link>
                  </td>
                  <td className="px-3 py-2">{c.subject}</td>
                  <td className="px-3 py-2 font-mono text-xs">{c.sha1Hex}</td>
                  <td className="px-3 py-2">
                    <ExpiryBadge certificate={c} />
                  </td>
                  <td className="px-3 py-2">
                    {c.profileCount === 0 ? (
                      <span className="text-slate-600">no profile</span>
                    ) : (
                      `${c.profileCount} profile${c.profileCount === 1 ? "" : "s"}`
                    )}
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
    </div>
  );
}
