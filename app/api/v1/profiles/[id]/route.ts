import { etagOf, expectedVersion, readJsonBody } from "@/lib/api/http";
import { deleteApiProfile, getApiProfile, updateApiProfile } from "@/lib/api/profiles";
import { withApiToken } from "@/lib/api/route";

export const dynamic = "force-dynamic";

type Params = { id: string };

/** GET /api/v1/profiles/{id} — the document without secrets, which secrets are stored, version and level. */
export const GET = withApiToken<Params>("get profile", async (_request, { user, params }) => {
  const profile = await getApiProfile(user, params.id);
  return Response.json(profile, { headers: { ETag: etagOf(profile.version) } });
});

/** PUT /api/v1/profiles/{id} with If-Match: "<version>" — replace the configuration. */
export const PUT = withApiToken<Params>("update profile", async (request, { user, params }) => {
  const version = expectedVersion(request, new URL(request.url));
  const profile = await updateApiProfile(user, params.id, version, await readJsonBody(request));
  return Response.json(profile, { headers: { ETag: etagOf(profile.version) } });
});

/** DELETE /api/v1/profiles/{id} */
export const DELETE = withApiToken<Params>("delete profile", async (_request, { user, params }) => {
  await deleteApiProfile(user, params.id);
  return new Response(null, { status: 204 });
});
