import { parseQuery } from "@/lib/api/http";
import { withApiToken } from "@/lib/api/route";
import { compareApiRevisions } from "@/lib/api/revisions";
import { compareQuerySchema } from "@/lib/api/schemas";

export const dynamic = "force-dynamic";

/** GET /api/v1/profiles/{id}/revisions/compare?from=&to= */
export const GET = withApiToken<{ id: string }>("compare revisions", async (request, { user, params }) => {
  const { from, to } = parseQuery(compareQuerySchema, new URL(request.url));
  return Response.json(await compareApiRevisions(user, params.id, from, to));
});
