import { etagOf, expectedVersion, positiveIntegerParam } from "@/lib/api/http";
import { withApiToken } from "@/lib/api/route";
import { restoreApiRevision } from "@/lib/api/revisions";

export const dynamic = "force-dynamic";

/** POST /api/v1/profiles/{id}/revisions/{n}/restore with If-Match: "<current version>" */
export const POST = withApiToken<{ id: string; n: string }>("restore revision", async (request, { user, params }) => {
  const number = positiveIntegerParam(params.n, "n");
  const version = expectedVersion(request, new URL(request.url));
  const profile = await restoreApiRevision(user, params.id, number, version);
  return Response.json(profile, { headers: { ETag: etagOf(profile.version) } });
});
