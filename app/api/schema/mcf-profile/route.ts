import { profileJsonSchema } from "@/lib/profiles/document";

export const dynamic = "force-static";

export function GET() {
  return Response.json(profileJsonSchema(), { headers: { "Content-Type": "application/schema+json" } });
}
