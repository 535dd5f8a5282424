import { readJsonBody, etagOf, parseQuery } from "@/lib/api/http";
import { createApiProfile, listApiProfiles } from "@/lib/api/profiles";
import { withApiToken } from "@/lib/api/route";
import { listProfilesQuerySchema } from "@/lib/api/schemas";

export const dynamic = "force-dynamic";

/** GET /api/v1/profiles?search=&sort=&direction=&page=&pageSize= — the profiles the token's user can see. */
export const GET = withApiToken("list profiles", async (request, { user }) => {
  const query = parseQuery(listProfilesQuerySchema, new URL(request.url));
  return Response.json(await listApiProfiles(user, query));
});

/** POST /api/v1/profiles — create from an mcf-profile document. */
export const POST = withApiToken("create profile", async (request, { user }) => {
  const profile = await createApiProfile(user, await readJsonBody(request));
  return Response.json(profile, {
    status: 201,
    headers: { Location: `/api/v1/profiles/${encodeURIComponent(profile.id)}`, ETag: etagOf(profile.version) },
  });
});
