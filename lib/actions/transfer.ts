"use server";
// Every export of a "use server" file is a public endpoint: only actions live here.
import { revalidatePath } from "next/cache";
import { z } from "zod";
import { defineAction } from "@/lib/actions/define-action";
import { profileLevel, requireAbility } from "@/lib/auth/access";
import { atLeast } from "@/lib/auth/permissions";
import type { CurrentUser } from "@/lib/auth/session";
import { LIMITS } from "@/lib/profiles/schema";
import { applyImport } from "@/lib/transfer/apply-import";
import { IMPORT_LIMITS } from "@/lib/transfer/import-error";
import { MAX_EXPORT_PASSPHRASE_LENGTH } from "@/lib/transfer/passphrase-envelope";
import { parseImportFile } from "@/lib/transfer/parse-import";
import { planImport, readImportTargets, type PlanItem } from "@/lib/transfer/plan-import";

/*
 * Import from the browser, in two calls that each get the file's text (and passphrase) again:
 * the parsed documents hold secrets in clear, so nothing parsed is kept on the server between the
 * plan and the apply, and nothing the browser parsed is trusted. Both calls parse on the server
 * with the library's own limits; the browser's pre-validation is only for quick feedback.
 */

const source = {
  // No length limit here on purpose: parseImportFile refuses an oversized file with its own message
  // ("larger than 5 MB"), which a schema error here would replace with a generic one.
  text: z.string(),
  passphrase: z.string().max(MAX_EXPORT_PASSPHRASE_LENGTH).optional(),
  // the name for pasted key=value text without a Name= line; a longer one is reported by the library
  name: z
    .string()
    .max(LIMITS.name * 4)
    .optional(),
};

const documentIndex = z
  .number()
  .int()
  .min(0)
  .max(IMPORT_LIMITS.maxDocuments - 1);
const decisionSchema = z.discriminatedUnion("action", [
  z.object({ index: documentIndex, action: z.literal("create") }),
  z.object({ index: documentIndex, action: z.literal("rename"), name: z.string().max(LIMITS.name * 4) }),
  z.object({ index: documentIndex, action: z.literal("skip") }),
  z.object({ index: documentIndex, action: z.literal("replace"), expectedVersion: z.number().int().positive().optional() }),
]);

const refuseViewers = (user: CurrentUser) =>
  requireAbility(user, "importProfiles", "Viewers cannot import profiles. Ask an admin for the Editor role.");

/**
 * The plan as the browser sees it. An existing profile's id is left out (the name is what clashes,
 * and the profile may not even be shared with this user); instead it says whether this user may
 * replace it, so the page offers "replace" only where the server would allow it.
 */
async function planForBrowser(items: PlanItem[], user: CurrentUser) {
  const canReplace = new Map<string, boolean>();
  for (const item of items) {
    if (!item.clash || canReplace.has(item.clash.id)) continue;
    const access = await profileLevel(user, item.clash.id);
    canReplace.set(item.clash.id, atLeast(access?.level ?? null, "edit"));
  }
  return items.map(({ clash, ...item }) => ({
    ...item,
    clash: clash ? { name: clash.name, version: clash.version, canReplace: canReplace.get(clash.id) ?? false } : null,
  }));
}

/** Step 1 → 2: validate the file on the server and say what an import would do. Writes nothing. */
export const planImportAction = defineAction("planImport", z.object(source), async ({ text, passphrase, name }, { user }) => {
  refuseViewers(user);
  const parsed = await parseImportFile(text, { passphrase, name });
  if (!parsed.ok) return { valid: false as const, errors: parsed.errors };
  const plan = planImport(parsed.documents, await readImportTargets());
  return {
    valid: true as const,
    source: parsed.source,
    items: await planForBrowser(plan.items, user),
    decisionsNeeded: plan.decisionsNeeded,
    blocked: plan.blocked,
  };
});

/** Step 2 → 3: parse the same text again and import it all-or-nothing with the admin's decisions. */
export const applyImportAction = defineAction(
  "applyImport",
  z.object({ ...source, decisions: z.array(decisionSchema).max(IMPORT_LIMITS.maxDocuments) }),
  async ({ text, passphrase, name, decisions }, { user }) => {
    refuseViewers(user);
    const parsed = await parseImportFile(text, { passphrase, name });
    if (!parsed.ok) return parsed;
    const result = await applyImport(parsed.documents, decisions, user);
    if (result.ok) revalidatePath("/profiles");
    return result;
  },
);
