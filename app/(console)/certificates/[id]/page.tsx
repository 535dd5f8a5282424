import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import type { ReactNode } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { ExpiryBadge } from "@/components/certificates/ExpiryBadge";
import { CertificateActions } from "@/components/certificates/CertificateActions";
import { getCertificateDetails } from "@/lib/certs/certificate-store";
import { requireUser } from "@/lib/auth/session";
import { isAdmin, roleAbilities } from "@/lib/auth/permissions";

export const metadata: Metadata = { title: "Certificate" };

function Row({ label, value, mono, copy }: { label: string; value: ReactNode; mono?: boolean; copy?: string }) {
  return (
    <div className="grid grid-cols-1 gap-1 border-b border-slate-100 py-2 sm:grid-cols-[14rem_1fr_auto] sm:items-center">
      <dt className="text-sm font-medium text-slate-700">{label}</dt>
      <dd className={mono ? "font-mono text-xs break-all" : "text-sm"}>{value}</dd>
      <dd>{copy ? <CopyButton value={copy} label={label} /> : null}</dd>
    </div>
  );
}

export default async function CertificatePage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const user = await requireUser();
  const { id } = await params;
  const created = Boolean((await searchParams).created);
  const c = await getCertificateDetails(id, user);
  if (!c) notFound();
  return (
    <div className="space-y-4">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-600">
        <Link href="/certificates" className="hover:underline">
          Certificates
        </Link>{" "}
        / {c.name}
      </nav>
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-xl font-semibold">{c.name}</h1>
        <CertificateActions
          id={c.id}
          name={c.name}
          inUse={c.profileCount > 0}
          canExportKey={roleAbilities.exportPrivateKey(user.role)}
          canDelete={isAdmin(user.role) || c.createdById === user.id}
        />
      </div>
      {created ? (
        <Alert tone="success" live>
          Certificate saved. Upload the .cer to your app registration, then compare the thumbprint the portal shows with the one
          below.
        </Alert>
      ) : null}
      {c.expiryStatus === "expiring_soon" ? (
        <Alert tone="warning">
          This certificate expires in {c.daysUntilExpiry} days. Generate a new one, upload it to the app registration, and switch
          the profiles below to it before {c.notAfter.slice(0, 10)}.
        </Alert>
      ) : null}
      {c.expiryStatus === "expired" ? (
        <Alert tone="error">
          This certificate expired on {c.notAfter.slice(0, 10)}: Entra refuses assertions signed with it. Generate a new one.
        </Alert>
      ) : null}

      <section aria-labelledby="details" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="details" className="text-base font-semibold">
          Details
        </h2>
        <dl className="mt-2">
          <Row label="Subject" value={c.subject} />
          <Row label="Issuer" value={c.selfSigned ? `${c.issuer} (self-signed)` : c.issuer} />
          <Row label="Serial number" value={c.serialNumber} mono />
          <Row label="Valid from" value={c.notBefore.replace("T", " ").slice(0, 19) + " UTC"} />
          <Row
            label="Valid until"
            value={
              <span className="inline-flex items-center gap-2">
                {c.notAfter.replace("T", " ").slice(0, 19)} UTC <ExpiryBadge certificate={c} />
              </span>
            }
          />
          <Row label="Key" value={`RSA ${c.keySize} bits, ${c.signatureAlgorithm}`} />
          <Row label="Thumbprint (SHA-1, as the Azure portal shows it)" value={c.sha1Hex} mono copy={c.sha1Hex} />
          <Row label="x5t (header for RS256)" value={c.x5t} mono copy={c.x5t} />
          <Row label="SHA-256 thumbprint" value={c.sha256Hex} mono copy={c.sha256Hex} />
          <Row label="x5t#S256 (header for PS256)" value={c.x5tS256} mono copy={c.x5tS256} />
        </dl>
      </section>

      <section aria-labelledby="downloads" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="downloads" className="text-base font-semibold">
          Downloads
        </h2>
        <p className="mt-1 text-sm text-slate-600">
          Upload the certificate (.cer or .pem) to the app registration. The private key stays in the console; export it only to
          move it elsewhere.
        </p>
        <div className="mt-3 flex flex-wrap gap-2">
          <Button asChild variant="secondary">
            <a href={`/api/certificates/${c.id}/download/cer`} download>
              Certificate (.cer, DER)
            </a>
          </Button>
          <Button asChild variant="secondary">
            <a href={`/api/certificates/${c.id}/download/pem`} download>
              Certificate (.pem)
            </a>
          </Button>
          <Button asChild variant="secondary">
            <a href={`/api/certificates/${c.id}/download/public-key`} download>
              Public key (.pem)
            </a>
          </Button>
        </div>
      </section>

      <section aria-labelledby="used-by" className="rounded-lg border border-slate-200 bg-white p-5">
        <h2 id="used-by" className="text-base font-semibold">
          Used by
        </h2>
        {c.profiles.length === 0 ? (
          <p className="mt-1 text-sm text-slate-600">
            No profile uses this certificate yet. Choose it in a profile with the “Client certificate” method.
          </p>
        ) : (
          <ul className="mt-2 list-disc pl-5 text-sm">
            {c.profiles.map((p) => (
              <li key={p.id}>
                <Link className="text-blue-700 hover:underline" href={`/profiles/${p.id}`}>
                  {p.name}
                </Link>
              </li>
            ))}
          </ul>
        )}
      </section>
    </div>
  );
}
