import { MAX_IMPORT_BODY_BYTES, readJsonBody } from "@/lib/api/http";
import { withApiToken } from "@/lib/api/route";
import { importForApi } from "@/lib/api/transfer";

export const dynamic = "force-dynamic";

/** POST /api/v1/import — { file, passphrase?, decisions?, dryRun? }; 409 with the plan when names clash. */
export const POST = withApiToken("import profiles", async (request, { user }) => {
  const { status, body } = await importForApi(user, await readJsonBody(request, MAX_IMPORT_BODY_BYTES));
  return Response.json(body, { status });
});
