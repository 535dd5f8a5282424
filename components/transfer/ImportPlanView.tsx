"use client";
import { Alert } from "@/components/ui/alert";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { FieldError } from "@/components/ui/field";
import { Input, Select } from "@/components/ui/input";
import { ImportErrors } from "@/components/transfer/ImportErrors";
import type { planImportAction } from "@/lib/actions/transfer";
import { LIMITS } from "@/lib/profiles/schema";
import { secretFieldLabels } from "@/lib/profiles/secret-fields";
import type { ImportError } from "@/lib/transfer/import-error";
import { jsonPath } from "@/lib/transfer/json-path";

type PlanResponse = Awaited<ReturnType<typeof planImportAction>>;
export type PlanData = Extract<Extract<PlanResponse, { ok: true }>["data"], { valid: true }>;
export type PlanItemView = PlanData["items"][number];

export type DecisionDraft = { action: "create" | "skip" | "replace" } | { action: "rename"; name: string };

const SUFFIX = " (imported)";

/** What happens to a document unless the admin says otherwise: clashes get a new name to edit. */
export function defaultDecision(item: PlanItemView): DecisionDraft {
  if (item.problems.length > 0) return { action: "skip" };
  if (item.needsDecision) return { action: "rename", name: `${item.name.slice(0, LIMITS.name - SUFFIX.length)}${SUFFIX}` };
  return { action: "create" };
}

function certificateLine(item: PlanItemView): string | null {
  const certificate = item.certificate;
  if (!certificate) return null;
  switch (certificate.action) {
    case "store":
      return `Certificate ${certificate.subject} (SHA-1 ${certificate.sha1Hex}) will be added to the certificate store.`;
    case "reuse":
      return `Certificate ${certificate.subject} is already stored here as “${certificate.certificate.name}”: that one is used.`;
    case "keep_in_profile":
      return `Certificate ${certificate.subject} travelled without its private key and is not stored here: it stays in the profile, and the key must be supplied.`;
    case "reference":
      return `Uses the stored certificate “${certificate.certificate.name}”.`;
  }
}

const describeAction = (decision: DecisionDraft, item: PlanItemView) =>
  decision.action === "create"
    ? "Create"
    : decision.action === "rename"
      ? "Create under a new name"
      : decision.action === "replace"
        ? `Replace “${item.clash?.name}” as a new revision`
        : "Skip";

export function ImportPlanView({
  plan,
  fileLabel,
  decisions,
  onDecision,
  errors,
  errorTitle,
  formError,
  pending,
  onBack,
  onApply,
}: {
  plan: PlanData;
  fileLabel: string;
  decisions: Record<number, DecisionDraft>;
  onDecision(index: number, decision: DecisionDraft): void;
  errors: ImportError[];
  errorTitle: string;
  formError: string | null;
  pending: boolean;
  onBack(): void;
  onApply(): void;
}) {
  const chosen = plan.items.map((item) => decisions[item.index] ?? defaultDecision(item));
  const importing = chosen.filter((d) => d.action !== "skip").length;
  const replacing = chosen.filter((d) => d.action === "replace").length;
  // errors of the last attempt that point into one document are shown beside it too
  const errorsOf = (item: PlanItemView) =>
    errors.filter((e) => e.path === item.path || e.path.startsWith(`${item.path}.`) || e.path.startsWith(`${item.path}[`));

  return (
    <section aria-labelledby="plan-heading" className="space-y-4">
      <div>
        <h2 id="plan-heading" className="text-base font-semibold">
          {plan.items.length === 1 ? "1 profile" : `${plan.items.length.toLocaleString("en-US")} profiles`} in {fileLabel}
        </h2>
        <p className="text-sm text-slate-600">
          The file is valid. Nothing is saved yet: choose what happens to each profile, then import. Secrets the file leaves out
          are asked for before the profile&apos;s first Test.
        </p>
      </div>
      {plan.decisionsNeeded > 0 ? (
        <Alert tone="warning">
          {plan.decisionsNeeded === 1 ? "1 profile has" : `${plan.decisionsNeeded} profiles have`} a name that is already taken:
          import under a new name, skip, or replace the existing profile (its history keeps the old version).
        </Alert>
      ) : null}

      <ol className="space-y-3">
        {plan.items.map((item) => {
          const decision = decisions[item.index] ?? defaultDecision(item);
          const mine = errorsOf(item);
          const nameError = mine.find((e) => e.path === jsonPath(["name"], item.path));
          const selectId = `plan-${item.index}-action`;
          const certificate = certificateLine(item);
          return (
            <li key={item.index} aria-label={item.name} className="space-y-2 rounded-lg border border-slate-200 bg-white p-4">
              <div className="flex flex-wrap items-center gap-2">
                <span className="font-medium">{item.name}</span>
                <code className="text-xs text-slate-500">{item.path}</code>
                {item.clash ? <Badge tone="warn">name taken</Badge> : null}
                {item.sameNameAs !== null ? <Badge tone="warn">same name as document {item.sameNameAs + 1}</Badge> : null}
                {item.problems.length > 0 ? <Badge tone="danger">cannot be imported</Badge> : null}
              </div>

              {item.problems.length > 0 ? (
                <ImportErrors
                  title="This profile cannot be imported as it is; it is skipped (fix the file to import it):"
                  errors={item.problems}
                />
              ) : (
                <div className="flex flex-wrap items-end gap-3">
                  <div className="space-y-1">
                    <label htmlFor={selectId} className="block text-sm font-medium text-slate-800">
                      What to do with “{item.name}”
                    </label>
                    <Select
                      id={selectId}
                      className="w-auto min-w-64"
                      value={decision.action}
                      onChange={(e) => {
                        const action = e.target.value as DecisionDraft["action"];
                        onDecision(
                          item.index,
                          action === "rename"
                            ? {
                                action,
                                name:
                                  decision.action === "rename"
                                    ? decision.name
                                    : ((defaultDecision(item) as { name?: string }).name ?? item.name),
                              }
                            : { action },
                        );
                      }}
                    >
                      {!item.needsDecision ? <option value="create">Create</option> : null}
                      <option value="rename">
                        {item.needsDecision ? "Import under a new name" : "Create under another name"}
                      </option>
                      {item.clash && item.sameNameAs === null ? (
                        <option value="replace" disabled={!item.clash.canReplace}>
                          Replace “{item.clash.name}” as a new revision{item.clash.canReplace ? "" : " (needs Edit access)"}
                        </option>
                      ) : null}
                      <option value="skip">Skip</option>
                    </Select>
                  </div>
                  {decision.action === "rename" ? (
                    <div className="min-w-64 flex-1 space-y-1">
                      <label htmlFor={`plan-${item.index}-name`} className="block text-sm font-medium text-slate-800">
                        New name
                      </label>
                      <Input
                        id={`plan-${item.index}-name`}
                        value={decision.name}
                        maxLength={LIMITS.name}
                        aria-invalid={nameError ? true : undefined}
                        aria-describedby={nameError ? `plan-${item.index}-name-error` : undefined}
                        onChange={(e) => onDecision(item.index, { action: "rename", name: e.target.value })}
                      />
                      <FieldError id={`plan-${item.index}-name-error`} message={nameError?.message} />
                    </div>
                  ) : null}
                </div>
              )}

              <ul className="space-y-0.5 text-sm text-slate-700">
                {item.problems.length === 0 ? <li>Will be: {describeAction(decision, item)}.</li> : null}
                {certificate ? <li>{certificate}</li> : null}
                {item.missingSecrets.length > 0 ? (
                  <li>
                    <Badge tone="info">secrets missing</Badge> {item.missingSecrets.map((f) => secretFieldLabels[f]).join(", ")}:
                    to be supplied before a Test.
                  </li>
                ) : null}
                {item.notes.map((note) => (
                  <li key={note} className="text-slate-600">
                    Note: {note}
                  </li>
                ))}
              </ul>
            </li>
          );
        })}
      </ol>

      <ImportErrors title={errorTitle} errors={errors} />
      {formError ? <Alert tone="error">{formError}</Alert> : null}
      <div className="flex flex-wrap items-center justify-end gap-2">
        <p className="mr-auto text-sm text-slate-600" aria-live="polite">
          {importing === 0
            ? "Every profile is skipped: there is nothing to import."
            : `${importing.toLocaleString("en-US")} to import${replacing ? `, ${replacing} of them replacing existing profiles` : ""}, ${(plan.items.length - importing).toLocaleString("en-US")} skipped.`}
        </p>
        <Button variant="secondary" onClick={onBack} disabled={pending}>
          Back
        </Button>
        <Button onClick={onApply} disabled={pending || importing === 0}>
          {pending ? "Importing…" : importing === 1 ? "Import 1 profile" : `Import ${importing.toLocaleString("en-US")} profiles`}
        </Button>
      </div>
    </section>
  );
}
