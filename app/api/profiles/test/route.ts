import { z } from "zod";
import { jsonError } from "@/lib/http/json-error";
import { withUser } from "@/lib/http/route-auth";
import { prepareTest, streamTest } from "@/lib/profile-operations/profile-test";

export const dynamic = "force-dynamic";

const MAX_BODY_BYTES = 1_000_000;
const bodySchema = z.object({
  profileId: z.string().min(1).max(64).optional(),
  profile: z.unknown(),
  freshToken: z.boolean().optional(),
});

/**
 * The console's Test button: runs the staged connection test on the values on screen and streams its
 * events as NDJSON, so the page shows each step as it finishes. Closing the request (Cancel) aborts it.
 */
export const POST = withUser("profile test", async (request, { user }) => {
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES) return jsonError("too_large", "The request is too large.", 413);
  let body: unknown;
  try {
    body = JSON.parse(text || "null");
  } catch {
    return jsonError("invalid_input", "The request body is not JSON.", 400);
  }
  const parsed = bodySchema.safeParse(body);
  if (!parsed.success) return jsonError("invalid_input", "The request is not a test request.", 400);
  const { profileId, profile, freshToken } = parsed.data;
  const prepared = await prepareTest(user, profileId, profile);
  return streamTest(user, profileId, prepared, { freshToken: freshToken ?? true, signal: request.signal });
});
