import { withApiToken } from "@/lib/api/route";
import { listApiRevisions } from "@/lib/api/revisions";

export const dynamic = "force-dynamic";

/** GET /api/v1/profiles/{id}/revisions — newest first. */
export const GET = withApiToken<{ id: string }>("list revisions", async (_request, { user, params }) =>
  Response.json(await listApiRevisions(user, params.id)),
);
