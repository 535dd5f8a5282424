import "server-only";
import type { CurrentUser } from "@/lib/auth/session";
import { compareProfileRevisions, listRevisions, restoreRevision } from "@/lib/profile-operations/revisions";
import { AppError, isAppError } from "@/lib/errors";
import { bodyFieldPaths } from "@/lib/api/errors";
import { getApiProfile } from "@/lib/api/profiles";
import type { ApiProfile } from "@/lib/api/schemas";

/**
 * Revisions over the API: the history service as it is (permissions included: Use to read history,
 * Edit to restore); secrets appear only as stored / changed / unchanged, never by value.
 */

export const listApiRevisions = (user: CurrentUser, profileId: string) => listRevisions(profileId, user);

export async function compareApiRevisions(user: CurrentUser, profileId: string, from: number, to: number) {
  return { from, to, rows: await compareProfileRevisions(profileId, from, to, user) };
}

/** Restores revision `number` as a new revision; `version` is the profile's current version (If-Match). */
export async function restoreApiRevision(
  user: CurrentUser,
  profileId: string,
  number: number,
  version: number,
): Promise<ApiProfile> {
  await restoreRevision(profileId, number, version, user).catch((error: unknown) => {
    // an old configuration that today's rules refuse: its fields, as paths of the revision's document
    if (isAppError(error) && error.fields) throw new AppError(error.code, error.userMessage, bodyFieldPaths(error.fields));
    throw error;
  });
  return getApiProfile(user, profileId);
}
