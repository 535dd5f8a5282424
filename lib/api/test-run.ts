import "server-only";
import type { CurrentUser } from "@/lib/auth/session";
import { getProfileForEdit } from "@/lib/db/profiles";
import { runConnectionTest } from "@/lib/diagnostics/run-test";
import { AppError } from "@/lib/errors";
import { completeTest, prepareTest, streamTest, type PreparedTest } from "@/lib/profile-operations/profile-test";
import { inDocumentTerms } from "@/lib/api/errors";

/**
 * POST /api/v1/profiles/{id}/test: the staged connection test of a SAVED profile (the API has no
 * drafts: change the profile first, then test it). The result is recorded on the profile and audited
 * exactly as the console's Test button does, so the list shows "verified" or "failing since" either way.
 */

async function prepare(user: CurrentUser, profileId: string): Promise<PreparedTest> {
  const saved = await getProfileForEdit(profileId, user);
  if (!saved) throw new AppError("not_found", "This profile does not exist, or it is not shared with you.");
  try {
    return await prepareTest(user, profileId, saved.input);
  } catch (error) {
    if (error instanceof AppError && error.code === "invalid_input") {
      // typically a secret an import left out: the profile is saved, but cannot be tested until it is supplied
      inDocumentTerms(
        new AppError(
          "invalid_input",
          "The saved profile cannot be tested yet: supply what `fields` names with PUT /api/v1/profiles/{id}.",
          error.fields,
        ),
        saved.input,
      );
    }
    throw error;
  }
}

/** The test's result as one JSON body once it has finished (the default). */
export async function runTestAsJson(user: CurrentUser, profileId: string, options: { freshToken: boolean; signal: AbortSignal }) {
  const prepared = await prepare(user, profileId);
  const result = await runConnectionTest(prepared.subject, { signal: options.signal, freshToken: options.freshToken });
  const recorded = await completeTest(user, profileId, prepared, result, { aborted: options.signal.aborted, via: "api" });
  return { result, recorded };
}

/**
 * The test as NDJSON (Accept: application/x-ndjson): one event per line as each step finishes, the
 * last line `{"type":"done","result":…}`. Closing the connection aborts the test. Everything that can
 * fail before the first byte (permission, a profile that cannot be tested) is still a JSON error
 * with its status, because prepare() runs before the stream starts.
 */
export async function runTestAsStream(
  user: CurrentUser,
  profileId: string,
  options: { freshToken: boolean; signal: AbortSignal },
): Promise<Response> {
  return streamTest(user, profileId, await prepare(user, profileId), { ...options, via: "api" });
}

/** Content negotiation: NDJSON only when the client asks for it and prefers it to JSON. */
export function wantsNdjson(accept: string | null): boolean {
  if (!accept) return false;
  let ndjson = -1;
  let json = -1;
  for (const part of accept.split(",")) {
    const [type, ...params] = part.trim().toLowerCase().split(";");
    const q = Number(
      params
        .map((p) => p.trim())
        .find((p) => p.startsWith("q="))
        ?.slice(2) ?? "1",
    );
    const weight = Number.isFinite(q) ? q : 0;
    if (type === "application/x-ndjson" || type === "application/ndjson") ndjson = Math.max(ndjson, weight);
    if (type === "application/json") json = Math.max(json, weight);
  }
  return ndjson > 0 && ndjson >= json;
}
