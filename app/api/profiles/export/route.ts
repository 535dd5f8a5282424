import { z } from "zod";
import { profileLevel } from "@/lib/auth/access";
import type { CurrentUser } from "@/lib/auth/session";
import { AppError, isAppError } from "@/lib/errors";
import { downloadHeaders } from "@/lib/http/download";
import { jsonError } from "@/lib/http/json-error";
import { withUser } from "@/lib/http/route-auth";
import { fieldErrorsFrom } from "@/lib/profiles/validation-errors";
import { exportProfiles, type ExportOptions } from "@/lib/transfer/export-profiles";
import { IMPORT_LIMITS } from "@/lib/transfer/import-error";
import { MAX_EXPORT_PASSPHRASE_LENGTH } from "@/lib/transfer/passphrase-envelope";

export const dynamic = "force-dynamic";

// a thousand ids of 64 characters and a passphrase fit in well under this
const MAX_BODY_BYTES = 200_000;

// "all": every profile this user can see, as exportProfiles reads them
const idsSchema = z.union([
  z.literal("all"),
  z.array(z.string().min(1).max(64)).min(1, "Choose at least one profile to export.").max(IMPORT_LIMITS.maxDocuments),
]);

const bodySchema = z.discriminatedUnion("includeSecrets", [
  z.object({ ids: idsSchema, includeSecrets: z.literal(false) }),
  z.object({
    ids: idsSchema,
    includeSecrets: z.literal(true),
    // the length rule itself is the library's (checkExportPassphrase), so its message is the one shown
    passphrase: z
      .string()
      .max(MAX_EXPORT_PASSPHRASE_LENGTH, `The passphrase can be at most ${MAX_EXPORT_PASSPHRASE_LENGTH} characters`),
  }),
]);

const SECRETS_NEED_MANAGE = "An export with secrets needs Manage access on every profile in it";

/**
 * exportProfiles refuses a profile without Manage access as any other forbidden operation, without
 * saying which profile: with several in the file the admin could not tell which to leave out. So
 * the chosen ones are looked at first, to name them (a profile the user cannot see at all is left
 * to exportProfiles, which says it no longer exists without revealing it).
 */
async function requireManageForSecrets(ids: string[], user: CurrentUser): Promise<void> {
  const lacking: string[] = [];
  for (const id of new Set(ids)) {
    const access = await profileLevel(user, id);
    if (access && access.level !== "manage") lacking.push(access.name);
  }
  if (lacking.length === 0) return;
  const names =
    lacking
      .slice(0, 5)
      .map((n) => `“${n}”`)
      .join(", ") + (lacking.length > 5 ? ` and ${lacking.length - 5} more` : "");
  throw new AppError(
    "forbidden",
    `${SECRETS_NEED_MANAGE}: you do not manage ${names}. Export without secrets, or leave ${lacking.length === 1 ? "it" : "them"} out.`,
  );
}

/**
 * The export file as a download. POST, so the passphrase of an encrypted export travels in the
 * body and never in a URL (browser history, proxy and server logs). exportProfiles checks access
 * (visible profiles; Manage for secrets) and writes the audit event.
 */
export const POST = withUser("profile export", async (request, { user }) => {
  const text = await request.text();
  if (text.length > MAX_BODY_BYTES)
    return jsonError("too_large", "The request is too large: export at most 1,000 profiles at a time.", 413);
  let body: unknown;
  try {
    body = JSON.parse(text || "null");
  } catch {
    return jsonError("invalid_input", "The request body is not JSON.", 400);
  }
  const parsed = bodySchema.safeParse(body);
  if (!parsed.success) return jsonError("invalid_input", "Check the export settings.", 400, fieldErrorsFrom(parsed.error));
  const { ids } = parsed.data;
  const options: ExportOptions = parsed.data.includeSecrets
    ? { includeSecrets: true, passphrase: parsed.data.passphrase }
    : { includeSecrets: false };
  if (options.includeSecrets && ids !== "all") await requireManageForSecrets(ids, user);
  let file;
  try {
    file = await exportProfiles(ids, options, user);
  } catch (error) {
    // "all" is checked inside exportProfiles, profile by profile: say what the refusal is about
    if (options.includeSecrets && isAppError(error) && error.code === "forbidden") {
      throw new AppError(
        "forbidden",
        `${SECRETS_NEED_MANAGE}, and some of the profiles you can see are only shared with you for Use or Edit. Export without secrets, or select the profiles you manage.`,
      );
    }
    throw error;
  }
  const baseName = file.fileName.replace(/\.json$/, "");
  return new Response(file.json, { headers: downloadHeaders(baseName, "json", "application/json; charset=utf-8") });
});
