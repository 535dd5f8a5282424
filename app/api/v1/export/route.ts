import { readJsonBody } from "@/lib/api/http";
import { withApiToken } from "@/lib/api/route";
import { exportForApi } from "@/lib/api/transfer";
import { downloadHeaders } from "@/lib/http/download";

export const dynamic = "force-dynamic";

/** POST /api/v1/export — the file itself: secrets null, or encrypted with the passphrase. */
export const POST = withApiToken("export profiles", async (request, { user }) => {
  const { fileName, json } = await exportForApi(user, await readJsonBody(request));
  return new Response(json, {
    headers: downloadHeaders(fileName.replace(/\.json$/, ""), "json", "application/json; charset=utf-8"),
  });
});
