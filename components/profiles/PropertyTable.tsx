"use client";
import { useState } from "react";
import { useFieldArray, useFormContext, useWatch, type FieldPath } from "react-hook-form";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogTrigger } from "@/components/ui/dialog";
import { FieldError } from "@/components/ui/field";
import { Input, Textarea } from "@/components/ui/input";
import { cn } from "@/lib/cn";
import { errorMessage } from "@/components/profiles/form-errors";
import { analyzeProperty, type ConnectionContext, type PropertyAnalysis } from "@/lib/profiles/javamail";
import { mergeRows, parsePropertiesText } from "@/lib/profiles/properties-text";
import type { ProfileInput } from "@/lib/profiles/schema";
import { secretFieldOfRequestProperty, type SecretField } from "@/lib/profiles/secret-fields";

type TableName = "connection.additionalProperties" | "authentication.requestProperties";

interface PropertyTableProps {
  name: TableName;
  caption: string;
  description: string;
  /** for JavaMail properties: the connection the keys are judged against */
  context?: ConnectionContext;
  /** keys the console builds or requires; shown as fixed */
  addLabel: string;
}

export function PropertyTable({ name, caption, description, context, addLabel }: PropertyTableProps) {
  const { control, register, formState, getValues, setValue } = useFormContext<ProfileInput>();
  const { fields, append, remove, replace } = useFieldArray({ control, name });
  const rows = useWatch({ control, name }) ?? [];
  const secrets = useWatch({ control, name: "secrets" });
  const tableId = name.replace(/\./g, "-");
  const tableError = errorMessage(formState.errors, name);

  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-end justify-between gap-2">
        <div>
          <h3 id={`${tableId}-caption`} className="text-sm font-semibold text-slate-800">
            {caption}
          </h3>
          <p className="text-xs text-slate-600">{description}</p>
        </div>
        <div className="flex gap-2">
          <PasteDialog
            onAdd={(incoming) => {
              replace(mergeRows(getValues(name), incoming));
            }}
          />
          <Button variant="secondary" size="sm" onClick={() => append({ key: "", value: "" }, { shouldFocus: true })}>
            {addLabel}
          </Button>
        </div>
      </div>
      {tableError ? <FieldError message={tableError} id={`${tableId}-error`} /> : null}
      {fields.length === 0 ? (
        <p className="rounded-md border border-dashed border-slate-300 px-3 py-4 text-center text-sm text-slate-600">
          No properties.
        </p>
      ) : (
        <table className="w-full table-fixed text-sm" aria-labelledby={`${tableId}-caption`}>
          <thead className="text-xs text-slate-600">
            <tr>
              <th scope="col" className="w-[40%] pb-1 text-left font-medium">
                Key
              </th>
              <th scope="col" className="pb-1 text-left font-medium">
                Value
              </th>
              <th scope="col" className="w-20 pb-1">
                <span className="sr-only">Remove</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {fields.map((field, index) => {
              const row = rows[index] ?? { key: "", value: "" };
              const keyPath = `${name}.${index}.key` as FieldPath<ProfileInput>;
              const valuePath = `${name}.${index}.value` as FieldPath<ProfileInput>;
              const keyError = errorMessage(formState.errors, keyPath);
              const valueError = errorMessage(formState.errors, valuePath);
              const secretField: SecretField | undefined =
                name === "authentication.requestProperties" ? secretFieldOfRequestProperty(row.key.trim()) : undefined;
              const stored = secretField ? secrets.stored[secretField] : false;
              const clearing = secretField ? secrets.clear.includes(secretField) : false;
              const analysis = context && row.key.trim() ? analyzeProperty(row.key.trim(), row.value.trim(), context) : undefined;
              const rowId = `${tableId}-${index}`;
              return (
                <tr key={field.id} className="align-top">
                  <td className="pr-2 pb-2">
                    <label htmlFor={`${rowId}-key`} className="sr-only">
                      Key of row {index + 1}
                    </label>
                    <Input
                      id={`${rowId}-key`}
                      className="font-mono text-xs"
                      autoComplete="off"
                      spellCheck={false}
                      aria-invalid={keyError ? true : undefined}
                      aria-describedby={keyError ? `${rowId}-key-error` : undefined}
                      {...register(keyPath)}
                    />
                    <FieldError id={`${rowId}-key-error`} message={keyError} />
                  </td>
                  <td className="pr-2 pb-2">
                    <label htmlFor={`${rowId}-value`} className="sr-only">
                      Value of {row.key || `row ${index + 1}`}
                    </label>
                    <Input
                      id={`${rowId}-value`}
                      className="font-mono text-xs"
                      type={secretField ? "password" : "text"}
                      autoComplete={secretField ? "new-password" : "off"}
                      spellCheck={false}
                      placeholder={secretField && stored && !clearing ? "stored — leave blank to keep" : undefined}
                      aria-invalid={valueError ? true : undefined}
                      aria-describedby={[valueError ? `${rowId}-value-error` : "", `${rowId}-info`].filter(Boolean).join(" ")}
                      {...register(valuePath)}
                    />
                    <FieldError id={`${rowId}-value-error`} message={valueError} />
                    <div id={`${rowId}-info`} className="mt-1 space-y-0.5">
                      {analysis ? <PropertyInfo analysis={analysis} /> : null}
                      {secretField && stored ? (
                        <SecretState
                          field={secretField}
                          clearing={clearing}
                          onClear={(clear) => {
                            const current = getValues("secrets.clear");
                            setValue(
                              "secrets.clear",
                              clear ? [...current, secretField] : current.filter((f) => f !== secretField),
                              { shouldDirty: true, shouldValidate: formState.isSubmitted },
                            );
                          }}
                        />
                      ) : null}
                    </div>
                  </td>
                  <td className="pb-2 text-right">
                    <Button
                      variant="ghost"
                      size="sm"
                      onClick={() => remove(index)}
                      aria-label={`Remove ${row.key || `row ${index + 1}`}`}
                    >
                      Remove
                    </Button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}

const statusTone = { honoured: "ok", ignored: "neutral", unknown: "neutral" } as const;
const statusText = { honoured: "used", ignored: "ignored", unknown: "not used by this console" } as const;

function PropertyInfo({ analysis }: { analysis: PropertyAnalysis }) {
  return (
    <div className="text-xs text-slate-600">
      <div className="flex flex-wrap items-center gap-1.5">
        <Badge tone={statusTone[analysis.status]}>{statusText[analysis.status]}</Badge>
        {analysis.spec ? (
          <span>
            <span className="font-medium">{analysis.spec.type === "ms" ? "milliseconds" : analysis.spec.type}</span> ·{" "}
            {analysis.spec.meaning}
          </span>
        ) : null}
      </div>
      {analysis.note && analysis.status !== "unknown" ? <p className="mt-0.5">{analysis.note}</p> : null}
      {analysis.findings
        .filter((f) => f.level !== "error")
        .map((finding) => (
          <p
            key={finding.message}
            className={cn("mt-0.5", finding.level === "warning" ? "font-medium text-amber-800" : "text-slate-600")}
          >
            {finding.level === "warning" ? "⚠ " : ""}
            {finding.message}
          </p>
        ))}
    </div>
  );
}

export function SecretState({
  field,
  clearing,
  onClear,
}: {
  field: SecretField;
  clearing: boolean;
  onClear: (clear: boolean) => void;
}) {
  return (
    <p className="flex items-center gap-2 text-xs text-slate-600" data-secret-state={field}>
      {clearing ? (
        <>
          <span className="font-medium text-amber-800">Will be removed when you save.</span>
          <button
            type="button"
            className="rounded text-blue-700 underline focus-visible:outline-2 focus-visible:outline-blue-600"
            onClick={() => onClear(false)}
          >
            Keep it
          </button>
        </>
      ) : (
        <>
          <span>A value is stored (never shown). Type a new one to replace it.</span>
          <button
            type="button"
            className="rounded text-blue-700 underline focus-visible:outline-2 focus-visible:outline-blue-600"
            onClick={() => onClear(true)}
          >
            Clear
          </button>
        </>
      )}
    </p>
  );
}

function PasteDialog({ onAdd }: { onAdd: (rows: { key: string; value: string }[]) => void }) {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState("");
  const parsed = parsePropertiesText(text);
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (next) setText("");
      }}
    >
      <DialogTrigger asChild>
        <Button variant="secondary" size="sm">
          Paste lines…
        </Button>
      </DialogTrigger>
      <DialogContent
        title="Paste properties"
        description="One key=value per line, as in a JavaMail properties file. Lines starting with # are skipped; keys already in the table get the new value."
      >
        <div className="space-y-3">
          <label htmlFor="paste-properties" className="sr-only">
            Properties, one per line
          </label>
          <Textarea
            id="paste-properties"
            rows={8}
            value={text}
            onChange={(e) => setText(e.target.value)}
            placeholder={"mail.imap.ssl.enable=true\nmail.imap.auth.mechanisms=XOAUTH2"}
            spellCheck={false}
          />
          <p className="text-xs text-slate-600" aria-live="polite">
            {parsed.rows.length} propert{parsed.rows.length === 1 ? "y" : "ies"} found
            {parsed.invalidLines.length ? `; line ${parsed.invalidLines.join(", ")} not in key=value form and skipped` : ""}.
          </p>
          <div className="flex justify-end gap-2">
            <DialogClose asChild>
              <Button variant="secondary">Cancel</Button>
            </DialogClose>
            <Button
              disabled={parsed.rows.length === 0}
              onClick={() => {
                onAdd(parsed.rows);
                setOpen(false);
              }}
            >
              Add {parsed.rows.length || ""} {parsed.rows.length === 1 ? "property" : "properties"}
            </Button>
          </div>
        </div>
      </DialogContent>
    </Dialog>
  );
}
