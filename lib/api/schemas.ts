import "server-only";
/**
 * Every request and response body of /api/v1 as a zod schema. Handlers parse requests with them,
 * the OpenAPI document (lib/api/openapi.ts) is generated from them, and the API tests check real
 * responses against them, so the published description cannot drift from what the server does.
 */
import { z } from "zod";
import { PAGE_SIZES, sortableColumns } from "@/lib/db/profiles";
import { profileDocumentSchema } from "@/lib/profiles/document";
import { SHARE_LEVELS } from "@/lib/auth/permissions";
import { secretFields } from "@/lib/profiles/secret-fields";
import { STEP_ORDER } from "@/lib/diagnostics/types";

// ── Errors ──────────────────────────────────────────────────────────────────────────────────────

export const errorCodes = [
  "invalid_input",
  "unauthenticated",
  "forbidden",
  "not_found",
  "conflict",
  "version_conflict",
  "too_large",
  "rate_limited",
  "internal",
] as const;

export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.enum(errorCodes),
      /** safe to show to a person */
      message: z.string(),
      /** per field: `$`-rooted JSON paths into the request body (or the document), query parameter names, or a header name */
      fields: z.record(z.string(), z.string()).optional(),
    }),
  })
  .meta({ description: "Every error: a code for scripts, a message for people, and field errors by JSON path." });

// ── Profiles ────────────────────────────────────────────────────────────────────────────────────

const level = z
  .enum(SHARE_LEVELS)
  .meta({ description: "The caller's access: use (view, test), edit (change, restore), manage (share, delete)." });
const secretField = z.enum(secretFields);
const isoDate = z.string().meta({ format: "date-time" });

const lastTestSchema = z.object({ at: isoDate, ok: z.boolean(), summary: z.string(), failingSince: isoDate.nullable() });

export const profileListItemSchema = z.object({
  id: z.string(),
  level,
  name: z.string(),
  protocol: z.enum(["imap", "pop3"]),
  host: z.string(),
  port: z.number().int(),
  username: z.string(),
  authLabel: z.string(),
  updatedAt: isoDate,
  lastTest: lastTestSchema.nullable(),
});

export const profileListSchema = z.object({
  items: z.array(profileListItemSchema),
  total: z.number().int(),
  page: z.number().int(),
  pageSize: z.number().int(),
  pageCount: z.number().int(),
  sort: z.enum(sortableColumns),
  direction: z.enum(["asc", "desc"]),
  search: z.string(),
});

const PAGE_SIZE_CHOICES = PAGE_SIZES.map(String) as [string, ...string[]];

export const listProfilesQuerySchema = z.strictObject({
  search: z.string().max(200).optional(),
  sort: z.enum(sortableColumns).optional(),
  direction: z.enum(["asc", "desc"]).optional(),
  page: z
    .string()
    .regex(/^[1-9]\d{0,6}$/, "Expected a page number from 1")
    .transform(Number)
    .optional(),
  pageSize: z
    .enum(PAGE_SIZE_CHOICES, { error: `One of ${PAGE_SIZE_CHOICES.join(", ")}` })
    .transform(Number)
    .optional(),
});

export const apiProfileSchema = z
  .object({
    id: z.string(),
    version: z
      .number()
      .int()
      .meta({ description: "Send it back in If-Match (or ?version) to update, restore or compare-and-set." }),
    level,
    updatedAt: isoDate,
    // the very schema instance the OpenAPI registry names ProfileDocument, so it becomes a $ref there
    document: profileDocumentSchema,
    storedSecrets: z
      .record(secretField, z.boolean())
      .meta({ description: "Which secrets the console holds for this profile (values are never returned)." }),
    missingSecrets: z.array(secretField).meta({
      description: "Secrets the configuration needs but the console does not hold (e.g. after an import without secrets).",
    }),
    lastTest: lastTestSchema.nullable(),
  })
  .meta({ description: "A profile as the API returns it: the document without secrets, and what is stored." });

export type ApiProfile = z.infer<typeof apiProfileSchema>;

// ── Test ────────────────────────────────────────────────────────────────────────────────────────

export const testRequestSchema = z.strictObject({
  freshToken: z.boolean().optional().meta({ description: "Request a new access token instead of a cached one (default true)." }),
});

const stepId = z.enum(STEP_ORDER as unknown as [string, ...string[]]);

const testStepSchema = z.object({
  step: stepId,
  title: z.string(),
  status: z.enum(["ok", "warn", "fail", "skipped"]),
  ms: z.number(),
  detail: z.string(),
  cause: z.string().optional(),
  fix: z.string().optional(),
  data: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.string())])).optional(),
});

export const testResultSchema = z
  .object({
    ok: z.boolean(),
    summary: z.string(),
    startedAt: isoDate,
    ms: z.number(),
    protocol: z.enum(["imap", "pop3"]),
    steps: z.array(testStepSchema),
    properties: z.object({
      applied: z.array(z.object({ key: z.string(), value: z.string(), effect: z.string() })),
      ignored: z.array(z.object({ key: z.string(), reason: z.string() })),
    }),
    transcript: z.array(
      z.object({
        t: z.number(),
        channel: z.enum(["imap", "pop3", "token", "tls", "note"]),
        direction: z.enum(["C", "S", "-"]),
        text: z.string().meta({ description: "already redacted" }),
      }),
    ),
  })
  .meta({ description: "The staged connection test's result; every text in it is redacted." });

export const testResponseSchema = z.object({
  result: testResultSchema,
  /** false when the saved profile was not what ran (it changed during the test): the result is not stored on it */
  recorded: z.boolean(),
});

export const testEventSchema = z
  .discriminatedUnion("type", [
    z.object({ type: z.literal("plan"), steps: z.array(z.object({ step: stepId, title: z.string() })) }),
    z.object({ type: z.literal("step-start"), step: stepId, title: z.string() }),
    z.object({ type: z.literal("step"), result: testStepSchema }),
    z.object({ type: z.literal("done"), result: testResultSchema }),
  ])
  .meta({ description: "One line of the NDJSON stream (Accept: application/x-ndjson): plan first, done last." });

// ── Revisions ───────────────────────────────────────────────────────────────────────────────────

export const revisionListSchema = z.object({
  name: z.string(),
  version: z.number().int(),
  revisions: z.array(
    z.object({
      number: z.number().int(),
      createdAt: isoDate,
      authorLabel: z.string(),
      action: z.string().meta({ description: "created | updated | restored | imported | duplicated" }),
      summary: z.string(),
    }),
  ),
});

export const compareQuerySchema = z.strictObject({
  from: z
    .string()
    .regex(/^[1-9]\d{0,9}$/, "Expected a revision number")
    .transform(Number),
  to: z
    .string()
    .regex(/^[1-9]\d{0,9}$/, "Expected a revision number")
    .transform(Number),
});

export const revisionComparisonSchema = z.object({
  from: z.number().int(),
  to: z.number().int(),
  rows: z.array(
    z.object({
      label: z.string(),
      before: z.string(),
      after: z.string(),
      changed: z.boolean(),
      secret: z
        .boolean()
        .optional()
        .meta({ description: "a secret: before/after say stored, none, changed or unchanged, never a value" }),
    }),
  ),
});

// ── Export / import ─────────────────────────────────────────────────────────────────────────────

export const exportRequestSchema = z.strictObject({
  ids: z
    .union([z.array(z.string().min(1).max(64)).min(1).max(1000), z.literal("all")])
    .optional()
    .meta({ description: 'Profile ids, or "all" (the default): every profile the caller can see.' }),
  includeSecrets: z.boolean().optional().meta({
    description:
      "Carry the secrets encrypted with `passphrase` (needs Manage on every profile). Default false: secrets are null.",
  }),
  passphrase: z.string().max(1024).optional(),
});

const decisionSchema = z.discriminatedUnion("action", [
  z.strictObject({ index: z.number().int().min(0), action: z.literal("create") }),
  z.strictObject({ index: z.number().int().min(0), action: z.literal("rename"), name: z.string().max(1000) }),
  z.strictObject({ index: z.number().int().min(0), action: z.literal("skip") }),
  z.strictObject({
    index: z.number().int().min(0),
    action: z.literal("replace"),
    expectedVersion: z.number().int().min(1).optional(),
  }),
]);

export const importRequestSchema = z.strictObject({
  file: z
    .string()
    .min(1, "Send the file's text")
    .meta({ description: "The file's text: an mcf-profile document, a JSON array of them, or flat key=value properties." }),
  passphrase: z
    .string()
    .max(1024)
    .optional()
    .meta({ description: "The export's passphrase, when the file holds encrypted secrets." }),
  name: z.string().max(1000).optional().meta({ description: "Name for pasted key=value text without a Name= line." }),
  decisions: z
    .array(decisionSchema)
    .max(1000)
    .optional()
    .meta({ description: "One per document whose name clashes (from the plan); others are created." }),
  dryRun: z.boolean().optional().meta({ description: "Return the plan only; nothing is written." }),
});

const certificateRef = z.object({ id: z.string(), name: z.string() });

const planItemSchema = z.object({
  index: z.number().int(),
  path: z.string(),
  name: z.string(),
  clash: z
    .object({
      name: z.string(),
      /** id and version only when the caller can see that profile */
      id: z.string().optional(),
      version: z.number().int().optional(),
    })
    .nullable(),
  sameNameAs: z.number().int().nullable(),
  needsDecision: z.boolean(),
  missingSecrets: z.array(secretField),
  certificate: z
    .discriminatedUnion("action", [
      z.object({ action: z.literal("reuse"), sha1Hex: z.string(), subject: z.string(), certificate: certificateRef }),
      z.object({ action: z.literal("store"), sha1Hex: z.string(), subject: z.string(), notAfter: z.string() }),
      z.object({ action: z.literal("keep_in_profile"), sha1Hex: z.string(), subject: z.string() }),
      z.object({ action: z.literal("reference"), certificate: certificateRef }),
    ])
    .nullable(),
  problems: z.array(z.object({ path: z.string(), code: z.string(), message: z.string() })),
  notes: z.array(z.string()),
});

export const importPlanSchema = z
  .object({ items: z.array(planItemSchema), decisionsNeeded: z.number().int(), blocked: z.number().int() })
  .meta({ description: "What an import would do; holds no secret." });

export const importPlanResponseSchema = z.object({ dryRun: z.literal(true), plan: importPlanSchema });

export const importConflictSchema = errorBodySchema
  .extend({ plan: importPlanSchema })
  .meta({ description: "409: names clash; decide per document and send again." });

const importedProfile = z.object({
  index: z.number().int(),
  id: z.string(),
  name: z.string(),
  version: z.number().int(),
  missingSecrets: z.array(secretField),
});

export const importResultSchema = z.object({
  created: z.array(importedProfile),
  replaced: z.array(importedProfile),
  skipped: z.array(z.object({ index: z.number().int(), name: z.string() })),
  certificates: z.object({ created: z.array(certificateRef), reused: z.array(certificateRef) }),
});
