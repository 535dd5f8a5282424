import { certificateToDer, certificateToPem, publicKeyPem } from "@/lib/certs/export";
import { publicCertificatePem } from "@/lib/certs/certificate-store";
import { jsonError } from "@/lib/http/json-error";
import { downloadHeaders } from "@/lib/http/download";
import { withUser } from "@/lib/http/route-auth";

const formats = ["cer", "pem", "public-key"] as const;

/** Public parts of a stored certificate: the .cer to upload to the app registration, the PEM, the public key. */
export const GET = withUser<{ id: string; format: string }>("certificate download", async (_request, { user, params }) => {
  const format = formats.find((f) => f === params.format);
  if (!format) return jsonError("not_found", "Unknown format: use cer, pem or public-key.", 404);
  const certificate = await publicCertificatePem(params.id, user, format);
  if (!certificate) return jsonError("not_found", "This certificate no longer exists.", 404);
  if (format === "cer")
    return new Response(new Uint8Array(certificateToDer(certificate.certificatePem)), {
      headers: downloadHeaders(certificate.name, "cer", "application/pkix-cert"),
    });
  if (format === "pem")
    return new Response(certificateToPem(certificate.certificatePem), {
      headers: downloadHeaders(certificate.name, "pem", "application/x-pem-file"),
    });
  return new Response(publicKeyPem(certificate.certificatePem), {
    headers: downloadHeaders(`${certificate.name}-public-key`, "pem", "application/x-pem-file"),
  });
});
