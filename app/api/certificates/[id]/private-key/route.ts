import { exportPrivateKey } from "@/lib/certs/certificate-store";
import { exportPrivateKeySchema } from "@/lib/certs/schema";
import { jsonError } from "@/lib/http/json-error";
import { downloadHeaders } from "@/lib/http/download";
import { withUser } from "@/lib/http/route-auth";
import { fieldErrorsFrom } from "@/lib/profiles/validation-errors";

/** The private key, only encrypted with the admin's passphrase (POST: the passphrase never sits in a URL). */
export const POST = withUser<{ id: string }>("private key export", async (request, { user, params }) => {
  const body = await request.json().catch(() => null);
  const parsed = exportPrivateKeySchema.safeParse(body);
  if (!parsed.success) return jsonError("invalid_input", "Check the export settings.", 400, fieldErrorsFrom(parsed.error));
  const file = await exportPrivateKey(params.id, parsed.data.format, parsed.data.passphrase, user);
  return new Response(new Uint8Array(file.body), { headers: downloadHeaders(file.name, file.extension, file.contentType) });
});
