import type { Metadata } from "next";
import Link from "next/link";
import { CreateCertificateForm } from "@/components/certificates/CreateCertificateForm";
import { cn } from "@/lib/cn";
import { requireUser } from "@/lib/auth/session";
import { roleAbilities } from "@/lib/auth/permissions";
import { Alert } from "@/components/ui/alert";

export const metadata: Metadata = { title: "New certificate" };

const modes = [
  { id: "generate", label: "Generate" },
  { id: "pem", label: "Import PEM" },
  { id: "pfx", label: "Import PFX / PKCS#12" },
] as const;

export default async function NewCertificatePage({
  searchParams,
}: {
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const user = await requireUser();
  if (!roleAbilities.useCertificates(user.role))
    return <Alert tone="warning">Viewers cannot add certificates. Ask an admin for the Editor role.</Alert>;
  const raw = (await searchParams).mode;
  const mode = modes.find((m) => m.id === raw)?.id ?? "generate";
  return (
    <div className="space-y-4">
      <nav aria-label="Breadcrumb" className="text-sm text-slate-600">
        <Link href="/certificates" className="hover:underline">
          Certificates
        </Link>{" "}
        / New
      </nav>
      <h1 className="text-xl font-semibold">New certificate</h1>
      <nav aria-label="How to add the certificate" className="flex gap-1 border-b border-slate-200">
        {modes.map((m) => (
          <Link
            key={m.id}
            href={`/certificates/new?mode=${m.id}`}
            aria-current={m.id === mode ? "page" : undefined}
            className={cn(
              "-mb-px border-b-2 px-3 py-2 text-sm font-medium focus-visible:outline-2 focus-visible:outline-blue-600",
              m.id === mode ? "border-blue-700 text-blue-800" : "border-transparent text-slate-600 hover:text-slate-900",
            )}
          >
            {m.label}
          </Link>
        ))}
      </nav>
      <CreateCertificateForm key={mode} mode={mode} />
    </div>
  );
}
