import { runConnectionTest } from "@/lib/diagnostics/run-test";
import type { TestEvent } from "@/lib/diagnostics/types";
import { jsonError } from "@/lib/http/json-error";
import { withUser } from "@/lib/http/route-auth";
import { audit } from "@/lib/audit/record";
import { actorOf } from "@/lib/auth/session";
import { prepareTest, recordTestResult } from "@/lib/profiles/profile-test";
import { z } from "zod";

export const dynamic = "force-dynamic";

const MAX_BODY_BYTES = 1_000_000;
const bodySchema = z.object({ profileId: z.string().min(1).max(64).optional(), profile: z.unknown(), freshToken: z.boolean().optional() });

/**
 * Runs the staged connection test and streams its events as NDJSON, one line per event, so the page
 * can show each step as it finishes. Closing the request (Cancel) aborts the test.
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

  const encoder = new TextEncoder();
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const send = (event: TestEvent) => {
        try {
          controller.enqueue(encoder.encode(`${JSON.stringify(event)}\n`));
        } catch {
          // the browser went away; the abort signal stops the test
        }
      };
      const result = await runConnectionTest(prepared.subject, { onEvent: send, signal: request.signal, freshToken: freshToken ?? true });
      if (profileId && prepared.isSavedConfiguration && !request.signal.aborted) await recordTestResult(profileId, result).catch(() => undefined);
      await audit({
        actor: actorOf(user),
        action: "profile.tested",
        object: { type: "profile", id: profileId ?? null, label: prepared.subject.profile.name },
        detail: { ok: result.ok, summary: result.summary, draft: !prepared.isSavedConfiguration },
      });
      try {
        controller.close();
      } catch {
        // already closed by a cancelled request
      }
    },
  });
  return new Response(stream, {
    headers: { "Content-Type": "application/x-ndjson; charset=utf-8", "Cache-Control": "no-store", "X-Content-Type-Options": "nosniff" },
  });
});
