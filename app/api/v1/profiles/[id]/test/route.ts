import { parseBody, readJsonBody } from "@/lib/api/http";
import { withApiToken } from "@/lib/api/route";
import { testRequestSchema } from "@/lib/api/schemas";
import { runTestAsJson, runTestAsStream, wantsNdjson } from "@/lib/api/test-run";

export const dynamic = "force-dynamic";

/** POST /api/v1/profiles/{id}/test — JSON result by default, NDJSON events with Accept: application/x-ndjson. */
export const POST = withApiToken<{ id: string }>("test profile", async (request, { user, params }) => {
  const body = parseBody(testRequestSchema, (await readJsonBody(request, 4096)) ?? {});
  const options = { freshToken: body.freshToken ?? true, signal: request.signal };
  if (wantsNdjson(request.headers.get("accept"))) return runTestAsStream(user, params.id, options);
  return Response.json(await runTestAsJson(user, params.id, options));
});
