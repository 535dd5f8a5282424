import { certificateToDer, certificateToPem, publicKeyPem } from "@/lib/certs/export";
import { publicCertificatePem } from "@/lib/certs/certificate-store";
import { errorResponse, jsonError } from "@/lib/http/json-error";
import { downloadHeaders } from "@/lib/http/download";

/** Public parts of a stored certificate: the .cer to upload to the app registration, the PEM, the public key. */
export async function GET(_request: Request, { params }: { params: Promise<{ id: string; format: string }> }) {
  try {
    const { id, format } = await params;
    const certificate = await publicCertificatePem(id);
    if (!certificate) return jsonError("not_found", "This certificate no longer exists.", 404);
    switch (format) {
      case "cer":
        return new Response(new Uint8Array(certificateToDer(certificate.certificatePem)), { headers: downloadHeaders(certificate.name, "cer", "application/pkix-cert") });
      case "pem":
        return new Response(certificateToPem(certificate.certificatePem), { headers: downloadHeaders(certificate.name, "pem", "application/x-pem-file") });
      case "public-key":
        return new Response(publicKeyPem(certificate.certificatePem), { headers: downloadHeaders(`${certificate.name}-public-key`, "pem", "application/x-pem-file") });
      default:
        return jsonError("not_found", "Unknown format: use cer, pem or public-key.", 404);
    }
  } catch (error) {
    return errorResponse(error, "certificate download");
  }
}
