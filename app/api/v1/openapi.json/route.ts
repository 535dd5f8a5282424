import { openApiDocument } from "@/lib/api/openapi";

// the same for every caller and every request: built once at build time
export const dynamic = "force-static";

/** GET /api/v1/openapi.json — public: describing the API reveals nothing a token would protect. */
export function GET() {
  return Response.json(openApiDocument());
}
