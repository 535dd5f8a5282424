"use client";
import { useId, useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogTrigger, DialogFormFooter } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { readErrorBody, saveDownload } from "@/components/transfer/save-download";
import type { SelectableProfile } from "@/components/transfer/ExportSelection";

/**
 * The rule the server applies (lib/transfer/passphrase-envelope.ts, server-only), repeated here
 * only so the dialog can say so before a round trip; the server's check is the one that counts.
 */
const MIN_PASSPHRASE = 8;

type Scope = "selected" | "all";
type Secrets = "none" | "encrypted";

interface Problems {
  form?: string;
  passphrase?: string;
  confirm?: string;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n.toLocaleString("en-US")} ${n === 1 ? one : many}`;

export function ExportDialog({
  chosen,
  visibleTotal,
  managesEverything,
}: {
  chosen: SelectableProfile[];
  visibleTotal: number | null;
  managesEverything: boolean;
}) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [scope, setScope] = useState<Scope>("all");
  const [secrets, setSecrets] = useState<Secrets>("none");
  const [passphrase, setPassphrase] = useState("");
  const [confirm, setConfirm] = useState("");
  const [problems, setProblems] = useState<Problems>({});
  const [pending, setPending] = useState(false);
  const [done, setDone] = useState<string | null>(null);

  const allLabel =
    visibleTotal === null
      ? "All profiles you can see (not only this search)"
      : `All ${plural(visibleTotal, "profile")} you can see`;
  const notManaged = chosen.filter((p) => p.level !== "manage");
  // Offered only where the server would allow it: Manage on every profile in the file.
  const secretsAllowed = scope === "selected" ? chosen.length > 0 && notManaged.length === 0 : managesEverything;
  const secretsWhyNot =
    scope === "selected"
      ? notManaged.length > 0
        ? `Needs Manage access on every profile in the file; you have less on ${notManaged
            .slice(0, 3)
            .map((p) => `“${p.name}”`)
            .join(", ")}${notManaged.length > 3 ? ` and ${notManaged.length - 3} more` : ""}.`
        : undefined
      : "Only owners and admins manage every profile: select the profiles you manage to include their secrets.";
  const effectiveSecrets: Secrets = secretsAllowed ? secrets : "none";

  const reset = (next: boolean) => {
    setOpen(next);
    // the passphrase is not kept once the dialog closes
    setPassphrase("");
    setConfirm("");
    setProblems({});
    if (next) {
      setScope(chosen.length > 0 ? "selected" : "all");
      setSecrets("none");
      setDone(null);
    }
  };

  const submit = async () => {
    const found: Problems = {};
    if (effectiveSecrets === "encrypted") {
      if ([...passphrase].length < MIN_PASSPHRASE)
        found.passphrase = `Choose a passphrase of at least ${MIN_PASSPHRASE} characters`;
      else if (confirm !== passphrase) found.confirm = "The two passphrases differ: type the same one twice";
    }
    setProblems(found);
    if (found.passphrase || found.confirm) return;
    setPending(true);
    try {
      const body =
        effectiveSecrets === "encrypted"
          ? { ids: scope === "all" ? "all" : chosen.map((p) => p.id), includeSecrets: true, passphrase }
          : { ids: scope === "all" ? "all" : chosen.map((p) => p.id), includeSecrets: false };
      const response = await fetch("/api/profiles/export", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      if (!response.ok) {
        const error = await readErrorBody(response);
        setProblems(error.fields.passphrase ? { passphrase: error.fields.passphrase } : { form: error.message });
        return;
      }
      const name = await saveDownload(response, "mcf-profiles.json");
      setDone(
        `Downloaded ${name}${effectiveSecrets === "encrypted" ? ", secrets encrypted with your passphrase" : ", without secrets"}.`,
      );
      reset(false);
    } catch {
      setProblems({ form: "The console could not be reached. Check the connection and try again; nothing was exported." });
    } finally {
      setPending(false);
    }
  };

  return (
    <div className="flex items-center gap-3">
      <p aria-live="polite" className="text-sm text-slate-600">
        {done ?? (chosen.length > 0 ? `${plural(chosen.length, "profile")} selected` : "")}
      </p>
      <Dialog open={open} onOpenChange={reset}>
        <DialogTrigger asChild>
          <Button variant="secondary">{chosen.length > 0 ? `Export ${chosen.length} selected…` : "Export…"}</Button>
        </DialogTrigger>
        <DialogContent
          title="Export profiles"
          description="Downloads mcf-profile documents (one object for one profile, a JSON array for several) that another console can import."
        >
          <form
            className="space-y-4"
            onSubmit={(event) => {
              event.preventDefault();
              void submit();
            }}
          >
            <fieldset className="space-y-1.5">
              <legend className="text-sm font-medium text-slate-800">Profiles</legend>
              <Choice
                name={`${id}-scope`}
                value="selected"
                checked={scope === "selected"}
                onChange={() => setScope("selected")}
                disabled={chosen.length === 0}
                label={
                  chosen.length > 0
                    ? `The ${plural(chosen.length, "selected profile")}`
                    : "Selected profiles (tick rows in the list first)"
                }
              />
              <Choice
                name={`${id}-scope`}
                value="all"
                checked={scope === "all"}
                onChange={() => setScope("all")}
                label={allLabel}
              />
            </fieldset>

            <fieldset className="space-y-1.5">
              <legend className="text-sm font-medium text-slate-800">Secrets</legend>
              <Choice
                name={`${id}-secrets`}
                value="none"
                checked={effectiveSecrets === "none"}
                onChange={() => setSecrets("none")}
                label="Without secrets (recommended)"
                hint={
                  'Passwords, client secrets, assertions and private keys are written as null, meaning "supply on import": whoever imports the file enters them before a Test.'
                }
              />
              <Choice
                name={`${id}-secrets`}
                value="encrypted"
                checked={effectiveSecrets === "encrypted"}
                onChange={() => setSecrets("encrypted")}
                disabled={!secretsAllowed}
                label="With secrets, encrypted under a passphrase"
                hint={
                  secretsAllowed
                    ? "Each secret is encrypted (scrypt and AES-256-GCM); the import asks for the passphrase."
                    : secretsWhyNot
                }
              />
            </fieldset>

            {effectiveSecrets === "encrypted" ? (
              <div className="space-y-3">
                <Alert tone="warning">
                  Anyone who has both the file and the passphrase can read these secrets. Send the passphrase another way than the
                  file, and delete the file once it is imported.
                </Alert>
                <Field
                  id={`${id}-passphrase`}
                  label="Passphrase"
                  hint={`At least ${MIN_PASSPHRASE} characters.`}
                  error={problems.passphrase}
                  required
                >
                  <Input
                    type="password"
                    autoComplete="new-password"
                    value={passphrase}
                    onChange={(e) => setPassphrase(e.target.value)}
                    maxLength={1024}
                  />
                </Field>
                <Field id={`${id}-confirm`} label="Passphrase again" error={problems.confirm} required>
                  <Input
                    type="password"
                    autoComplete="new-password"
                    value={confirm}
                    onChange={(e) => setConfirm(e.target.value)}
                    maxLength={1024}
                  />
                </Field>
              </div>
            ) : null}

            {problems.form ? <Alert tone="error">{problems.form}</Alert> : null}
            <DialogFormFooter pending={pending} submitLabel="Download" pendingLabel="Exporting…" />
          </form>
        </DialogContent>
      </Dialog>
    </div>
  );
}

function Choice({
  name,
  value,
  checked,
  onChange,
  label,
  hint,
  disabled,
}: {
  name: string;
  value: string;
  checked: boolean;
  onChange: () => void;
  label: string;
  hint?: string;
  disabled?: boolean;
}) {
  const id = `${name}-${value}`;
  return (
    <div className="flex items-start gap-2">
      <input
        id={id}
        type="radio"
        name={name}
        value={value}
        checked={checked}
        onChange={onChange}
        disabled={disabled}
        aria-describedby={hint ? `${id}-hint` : undefined}
        className="mt-0.5 size-4 border-slate-300 focus-visible:outline-2 focus-visible:outline-blue-600"
      />
      <div>
        <label htmlFor={id} className={disabled ? "text-sm font-medium text-slate-500" : "text-sm font-medium text-slate-800"}>
          {label}
        </label>
        {hint ? (
          <p id={`${id}-hint`} className="text-xs text-slate-600">
            {hint}
          </p>
        ) : null}
      </div>
    </div>
  );
}
