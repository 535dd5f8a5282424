import Link from "next/link";

export default function CertificateNotFound() {
  return (
    <div className="rounded-lg border border-slate-200 bg-white p-6">
      <h1 className="text-lg font-semibold">Certificate not found</h1>
      <p className="mt-1 text-sm text-slate-600">
        It may have been deleted.{" "}
        <Link href="/certificates" className="text-blue-700 underline">
          Back to the certificates
        </Link>
        .
      </p>
    </div>
  );
}
