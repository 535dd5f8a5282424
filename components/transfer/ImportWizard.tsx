"use client";
import { useDeferredValue, useId, useMemo, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input, Textarea } from "@/components/ui/input";
import { ImportErrors } from "@/components/transfer/ImportErrors";
import { ImportPlanView, defaultDecision, type DecisionDraft, type PlanData } from "@/components/transfer/ImportPlanView";
import { ImportDone, type ImportSuccess } from "@/components/transfer/ImportDone";
import { applyImportAction, planImportAction } from "@/lib/actions/transfer";
import { cn } from "@/lib/cn";
import { looksLikeFlatProperties } from "@/lib/transfer/flat-properties";
import { IMPORT_LIMITS, type ImportError } from "@/lib/transfer/import-error";
import { readImportFile } from "@/lib/transfer/read-import-file";

/**
 * Import in three steps:
 *   1. the file (upload or paste) is checked: first here, with the library's client-safe checks,
 *      for instant feedback, then on the server, which decrypts and validates for itself;
 *   2. the plan: what happens to each document, name clashes resolved by the admin;
 *   3. the import, all or nothing, and links to what was imported.
 * Between steps the server keeps nothing: the apply call sends the text and passphrase again, and
 * the browser holds them only in this component's state (they go when the page does).
 */

type Mode = "file" | "paste";

type Stage = { step: "source" } | { step: "plan"; plan: PlanData } | { step: "done"; result: ImportSuccess };

interface Source {
  mode: Mode;
  fileName: string | null;
  /** bytes on disk, as the browser reports them */
  fileSize: number;
  text: string;
  name: string;
  passphrase: string;
}

const emptySource: Source = { mode: "file", fileName: null, fileSize: 0, text: "", name: "", passphrase: "" };

const sizeLabel = (bytes: number) =>
  bytes < 1024 * 1024
    ? `${Math.max(1, Math.round(bytes / 1024)).toLocaleString("en-US")} KB`
    : `${(bytes / (1024 * 1024)).toFixed(1)} MB`;

const problemCount = (n: number) => `${n.toLocaleString("en-US")} ${n === 1 ? "problem" : "problems"}`;

/**
 * Reads at most a few bytes past the import limit: a larger file is refused by readImportFile with
 * its own "larger than 5 MB" message, without the browser loading all of it into memory first.
 */
async function readBounded(file: File): Promise<string> {
  return file.slice(0, IMPORT_LIMITS.maxBytes + 4).text();
}

function unreachable(text: string): string {
  const large = text.length > 1_000_000;
  return large
    ? "The server did not accept the file (nothing was saved). Files over 1 MB may exceed the upload limit set for the console's server: run mcf import on the server, or import smaller files."
    : "The console could not be reached. Check the connection and try again; nothing was saved.";
}

export function ImportWizard() {
  const id = useId();
  const [source, setSource] = useState<Source>(emptySource);
  const [stage, setStage] = useState<Stage>({ step: "source" });
  const [errors, setErrors] = useState<ImportError[]>([]);
  const [errorTitle, setErrorTitle] = useState("");
  const [formError, setFormError] = useState<string | null>(null);
  const [fieldErrors, setFieldErrors] = useState<{ text?: string; name?: string; passphrase?: string }>({});
  const [decisions, setDecisions] = useState<Record<number, DecisionDraft>>({});
  const [pending, setPending] = useState(false);
  // reading a large file takes a moment: checking before it is read would check nothing
  const [reading, setReading] = useState(false);

  // The browser's own reading of the text: decides whether to ask for a name or a passphrase.
  const deferredText = useDeferredValue(source.text);
  const isFlat = useMemo(() => looksLikeFlatProperties(deferredText), [deferredText]);
  const preview = useMemo(() => (deferredText.trim() ? readImportFile(deferredText) : null), [deferredText]);
  const needsPassphrase = preview?.ok === true && preview.needsPassphrase;

  const update = (changes: Partial<Source>) => {
    setSource((current) => ({ ...current, ...changes }));
    setFieldErrors({});
    setFormError(null);
  };

  const showErrors = (title: string, list: ImportError[]) => {
    setErrorTitle(title);
    setErrors(list);
  };

  const startOver = () => {
    setSource(emptySource);
    setStage({ step: "source" });
    setDecisions({});
    showErrors("", []);
    setFormError(null);
    setFieldErrors({});
  };

  const check = async () => {
    showErrors("", []);
    setFormError(null);
    // nothing chosen yet; a chosen file that is empty or blank is for the library to describe
    if (source.mode === "file" ? source.fileName === null : !source.text.trim()) {
      setFieldErrors(
        source.mode === "file" ? { text: "Choose a file to import" } : { text: "Paste an export or key=value settings" },
      );
      return;
    }
    // quick, local and exactly the server's rules: no round trip for a file that cannot pass
    const local = readImportFile(source.text, { name: source.name || undefined });
    if (!local.ok) {
      showErrors(`The file cannot be imported: ${problemCount(local.errors.length)}. Nothing was saved.`, local.errors);
      return;
    }
    if (local.needsPassphrase && !source.passphrase) {
      setFieldErrors({ passphrase: "This file holds encrypted secrets: enter the passphrase chosen when it was exported" });
      return;
    }
    setPending(true);
    try {
      const response = await planImportAction({
        text: source.text,
        passphrase: source.passphrase || undefined,
        name: source.name || undefined,
      });
      if (!response.ok) {
        setFormError(response.error.message);
        return;
      }
      if (!response.data.valid) {
        const wrongPassphrase = response.data.errors.some((e) => e.code === "wrong_passphrase");
        if (wrongPassphrase) setFieldErrors({ passphrase: "Wrong passphrase: the file's secrets cannot be decrypted with it" });
        showErrors(
          `The file cannot be imported: ${problemCount(response.data.errors.length)}. Nothing was saved.`,
          response.data.errors,
        );
        return;
      }
      const plan = response.data;
      setDecisions(Object.fromEntries(plan.items.map((item) => [item.index, defaultDecision(item)])));
      setStage({ step: "plan", plan });
    } catch {
      setFormError(unreachable(source.text));
    } finally {
      setPending(false);
    }
  };

  const apply = async (plan: PlanData) => {
    showErrors("", []);
    setFormError(null);
    setPending(true);
    try {
      const response = await applyImportAction({
        text: source.text,
        passphrase: source.passphrase || undefined,
        name: source.name || undefined,
        decisions: plan.items.map((item) => {
          const decision = decisions[item.index] ?? defaultDecision(item);
          if (decision.action === "rename") return { index: item.index, action: "rename" as const, name: decision.name };
          // the version the plan showed: a save in between is reported instead of overwritten
          if (decision.action === "replace")
            return {
              index: item.index,
              action: "replace" as const,
              ...(item.clash ? { expectedVersion: item.clash.version } : {}),
            };
          return { index: item.index, action: decision.action };
        }),
      });
      if (!response.ok) {
        setFormError(response.error.message);
        return;
      }
      if (!response.data.ok) {
        showErrors(`Nothing was imported: ${problemCount(response.data.errors.length)}.`, response.data.errors);
        return;
      }
      setStage({ step: "done", result: response.data });
    } catch {
      setFormError(unreachable(source.text));
    } finally {
      setPending(false);
    }
  };

  const steps = ["Choose the file", "Review the plan", "Imported"] as const;
  const current = stage.step === "source" ? 0 : stage.step === "plan" ? 1 : 2;

  return (
    <div className="space-y-4">
      <ol aria-label="Steps" className="flex flex-wrap gap-2 text-sm">
        {steps.map((label, i) => (
          <li
            key={label}
            aria-current={i === current ? "step" : undefined}
            className={cn(
              "rounded-full px-3 py-1",
              i === current ? "bg-blue-700 text-white" : i < current ? "bg-blue-50 text-blue-800" : "bg-slate-100 text-slate-600",
            )}
          >
            {i + 1}. {label}
          </li>
        ))}
      </ol>

      {stage.step === "source" ? (
        <form
          className="space-y-4 rounded-lg border border-slate-200 bg-white p-4"
          // busy while a file is read and until the preview (name or passphrase asked for?) has caught up with it
          aria-busy={reading || deferredText !== source.text}
          onSubmit={(event) => {
            event.preventDefault();
            void check();
          }}
        >
          <fieldset className="flex gap-4">
            <legend className="sr-only">Where the profiles come from</legend>
            {(["file", "paste"] as const).map((mode) => (
              <label key={mode} className="flex items-center gap-2 text-sm font-medium text-slate-800">
                <input
                  type="radio"
                  name={`${id}-mode`}
                  className="size-4 border-slate-300"
                  checked={source.mode === mode}
                  onChange={() => update({ mode, text: "", fileName: null, fileSize: 0, name: "", passphrase: "" })}
                />
                {mode === "file" ? "Upload a file" : "Paste text"}
              </label>
            ))}
          </fieldset>

          {source.mode === "file" ? (
            <Field
              id={`${id}-file`}
              label="Export file"
              hint="A .json export (one profile or a list of them), at most 5 MB."
              error={fieldErrors.text}
              required
            >
              <input
                type="file"
                accept=".json,application/json,.txt,.properties,text/plain"
                className="block text-sm file:mr-3 file:rounded-md file:border file:border-slate-300 file:bg-white file:px-3 file:py-1.5 file:text-sm file:font-medium"
                onChange={async (event) => {
                  const file = event.target.files?.[0];
                  showErrors("", []);
                  if (!file) return update({ text: "", fileName: null, fileSize: 0 });
                  setReading(true);
                  try {
                    update({ text: await readBounded(file), fileName: file.name, fileSize: file.size, passphrase: "" });
                  } catch {
                    update({ text: "", fileName: null, fileSize: 0 });
                    setFieldErrors({ text: "The browser could not read this file: choose it again" });
                  } finally {
                    setReading(false);
                  }
                }}
              />
            </Field>
          ) : (
            <Field
              id={`${id}-text`}
              label="Export or settings"
              hint="An mcf-profile JSON document or list, or the original product's settings as key=value lines (MailserverURL=…, MailServer Port=…, Token URL=…, client_id=…, mail.* properties)."
              error={fieldErrors.text}
              required
            >
              <Textarea rows={12} spellCheck={false} value={source.text} onChange={(e) => update({ text: e.target.value })} />
            </Field>
          )}

          {source.mode === "file" && source.fileName ? (
            <p className="text-sm text-slate-700" aria-live="polite">
              Read {source.fileName} ({sizeLabel(source.fileSize)}).
            </p>
          ) : null}

          {isFlat && source.text.trim() ? (
            <Field
              id={`${id}-name`}
              label="Profile name"
              hint="Needed unless the text has a Name= line; a name entered here wins over it."
              error={fieldErrors.name}
            >
              <Input value={source.name} onChange={(e) => update({ name: e.target.value })} maxLength={100} />
            </Field>
          ) : null}

          {needsPassphrase || fieldErrors.passphrase ? (
            <Field
              id={`${id}-passphrase`}
              label="Passphrase of the export"
              hint="The file's secrets are encrypted; the passphrase was chosen when it was exported."
              error={fieldErrors.passphrase}
              required
            >
              <Input
                type="password"
                autoComplete="off"
                value={source.passphrase}
                onChange={(e) => update({ passphrase: e.target.value })}
                maxLength={1024}
              />
            </Field>
          ) : null}

          <ImportErrors title={errorTitle} errors={errors} />
          {formError ? <Alert tone="error">{formError}</Alert> : null}
          <div className="flex justify-end">
            <Button type="submit" disabled={pending || reading}>
              {reading ? "Reading the file…" : pending ? "Checking…" : "Check the file"}
            </Button>
          </div>
        </form>
      ) : null}

      {stage.step === "plan" ? (
        <ImportPlanView
          plan={stage.plan}
          fileLabel={source.fileName ?? (isFlat ? "pasted settings" : "pasted text")}
          decisions={decisions}
          onDecision={(index, decision) => setDecisions((current) => ({ ...current, [index]: decision }))}
          errors={errors}
          errorTitle={errorTitle}
          formError={formError}
          pending={pending}
          onBack={() => {
            setStage({ step: "source" });
            showErrors("", []);
            setFormError(null);
          }}
          onApply={() => void apply(stage.plan)}
        />
      ) : null}

      {stage.step === "done" ? <ImportDone result={stage.result} onAnother={startOver} /> : null}
    </div>
  );
}
