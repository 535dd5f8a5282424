import "server-only";
import type { z } from "zod";
import { prisma } from "@/lib/db/client";
import { requireAbility, visibleProfilesWhere } from "@/lib/auth/access";
import type { CurrentUser } from "@/lib/auth/session";
import { AppError, isAppError, type FieldErrors } from "@/lib/errors";
import { applyImport } from "@/lib/transfer/apply-import";
import { exportProfiles } from "@/lib/transfer/export-profiles";
import type { ImportError } from "@/lib/transfer/import-error";
import { jsonPath } from "@/lib/transfer/json-path";
import { parseImportFile } from "@/lib/transfer/parse-import";
import { planImport, readImportTargets, type ImportPlan } from "@/lib/transfer/plan-import";
import { ApiProblem, bodyFieldPaths } from "@/lib/api/errors";
import { parseBody } from "@/lib/api/http";
import { exportRequestSchema, importRequestSchema, type importPlanSchema, type importResultSchema } from "@/lib/api/schemas";

/**
 * Export and import over the API: the same code and options as the console and the CLI
 * (lib/transfer/*), with its checks, one-transaction import and audit events. Export never carries a
 * secret in clear: without includeSecrets they are null, with it they are encrypted under the
 * caller's passphrase. Import responses (plan, result) hold no secret either.
 */

export async function exportForApi(user: CurrentUser, body: unknown): Promise<{ fileName: string; json: string }> {
  const request = parseBody(exportRequestSchema, body ?? {});
  if (request.includeSecrets && !request.passphrase) {
    throw new AppError("invalid_input", "includeSecrets needs a passphrase: the secrets are encrypted with it.", {
      "$.passphrase": "Required when includeSecrets is true",
    });
  }
  if (!request.includeSecrets && request.passphrase) {
    // a script that sends a passphrase expects secrets in the file; say so rather than export without them
    throw new AppError("invalid_input", "A passphrase is used only with includeSecrets: true.", {
      "$.includeSecrets": "Set to true to export the secrets encrypted with the passphrase",
    });
  }
  const options = request.includeSecrets
    ? { includeSecrets: true as const, passphrase: request.passphrase! }
    : { includeSecrets: false as const };
  try {
    const { fileName, json } = await exportProfiles(request.ids ?? "all", options, user);
    return { fileName, json };
  } catch (error) {
    if (isAppError(error) && error.fields) throw new AppError(error.code, error.userMessage, bodyFieldPaths(error.fields));
    throw error;
  }
}

type ApiPlan = z.infer<typeof importPlanSchema>;

/**
 * The plan as the caller may see it. Profile names are unique across the console, so a clash with a
 * profile the caller cannot see is still reported, but by name only: its id and version stay hidden.
 */
async function planForCaller(plan: ImportPlan, user: CurrentUser): Promise<ApiPlan> {
  const clashIds = [...new Set(plan.items.flatMap((item) => (item.clash ? [item.clash.id] : [])))];
  const visible = new Set(
    clashIds.length === 0
      ? []
      : (
          await prisma.profile.findMany({
            where: { AND: [{ id: { in: clashIds } }, visibleProfilesWhere(user)] },
            select: { id: true },
          })
        ).map((row) => row.id),
  );
  return {
    ...plan,
    items: plan.items.map((item) => ({
      ...item,
      clash: item.clash ? (visible.has(item.clash.id) ? { ...item.clash } : { name: item.clash.name }) : null,
    })),
  };
}

function errorFields(errors: ImportError[]): FieldErrors {
  const fields: FieldErrors = {};
  for (const error of errors) fields[error.path] = fields[error.path] ? `${fields[error.path]}; ${error.message}` : error.message;
  return fields;
}

function fileProblem(errors: ImportError[]): AppError {
  if (errors.some((e) => e.code === "too_large"))
    return new AppError("too_large", errors.find((e) => e.code === "too_large")!.message, errorFields(errors));
  const first = errors[0]?.message ?? "The file cannot be imported";
  return new AppError(
    "invalid_input",
    `The file cannot be imported: ${first}${errors.length > 1 ? ` (and ${errors.length - 1} more; see \`fields\`, JSON paths into the file)` : ""}.`,
    errorFields(errors),
  );
}

export type ImportResponse =
  { status: 200; body: { dryRun: true; plan: ApiPlan } } | { status: 200 | 201; body: z.infer<typeof importResultSchema> };

export async function importForApi(user: CurrentUser, body: unknown): Promise<ImportResponse> {
  requireAbility(user, "importProfiles", "Viewers cannot import profiles. Ask an admin for the Editor role.");
  const request = parseBody(importRequestSchema, body);
  const parsed = await parseImportFile(request.file, { passphrase: request.passphrase, name: request.name });
  if (!parsed.ok) throw fileProblem(parsed.errors);
  const plan = await planForCaller(planImport(parsed.documents, await readImportTargets()), user);
  if (request.dryRun) return { status: 200, body: { dryRun: true, plan } };
  if (request.decisions === undefined && plan.decisionsNeeded > 0) {
    const clashing = plan.items.filter((item) => item.needsDecision);
    throw new ApiProblem(
      "conflict",
      `${clashing.length === 1 ? "One profile's name is" : `${clashing.length} profiles' names are`} already taken: send \`decisions\` (rename, skip or replace) for ${clashing.map((i) => `document ${i.index}`).join(", ")}. Nothing was imported.`,
      Object.fromEntries(
        clashing.map((item) => [
          jsonPath(["name"], item.path),
          item.clash
            ? `A profile named "${item.clash.name}" already exists`
            : `Document ${item.sameNameAs} of this file has the same name`,
        ]),
      ),
      { plan },
    );
  }
  const result = await applyImport(parsed.documents, request.decisions ?? [], user);
  if (!result.ok) {
    const fields = errorFields(result.errors);
    const message = `Nothing was imported: ${result.errors[0]?.message ?? "the import failed"}${result.errors.length > 1 ? ` (and ${result.errors.length - 1} more; see \`fields\`)` : ""}.`;
    if (result.errors.some((e) => e.code === "version_conflict"))
      throw new ApiProblem("version_conflict", message, fields, { plan });
    if (result.errors.some((e) => e.code === "name_clash")) throw new ApiProblem("conflict", message, fields, { plan });
    throw new AppError("invalid_input", message, fields);
  }
  const { ok: _ok, ...summary } = result;
  return { status: summary.created.length > 0 ? 201 : 200, body: summary };
}
