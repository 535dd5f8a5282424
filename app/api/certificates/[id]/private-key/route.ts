import { exportPrivateKey } from "@/lib/certs/certificate-store";
import { exportPrivateKeySchema } from "@/lib/certs/schema";
import { errorResponse, jsonError } from "@/lib/http/json-error";
import { downloadHeaders } from "@/lib/http/download";
import { fieldErrorsFrom } from "@/lib/profiles/validation-errors";

/** The private key, only encrypted with the admin's passphrase (POST: the passphrase never sits in a URL). */
export async function POST(request: Request, { params }: { params: Promise<{ id: string }> }) {
  try {
    const { id } = await params;
    const body = await request.json().catch(() => null);
    const parsed = exportPrivateKeySchema.safeParse(body);
    if (!parsed.success) return jsonError("invalid_input", "Check the export settings.", 400, fieldErrorsFrom(parsed.error));
    const file = await exportPrivateKey(id, parsed.data.format, parsed.data.passphrase);
    return new Response(new Uint8Array(file.body), { headers: downloadHeaders(file.name, file.extension, file.contentType) });
  } catch (error) {
    return errorResponse(error, "private key export");
  }
}
