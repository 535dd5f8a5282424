"use client";
import { useRouter } from "next/navigation";
import { useId, useState, useTransition } from "react";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Dialog, DialogContent, DialogTrigger, DialogFormFooter } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input } from "@/components/ui/input";
import { Alert } from "@/components/ui/alert";
import { deleteProfileAction, duplicateProfileAction } from "@/lib/actions/profiles";

export function ProfileRowActions({
  id,
  name,
  canDuplicate,
  canDelete,
}: {
  id: string;
  name: string;
  canDuplicate: boolean;
  canDelete: boolean;
}) {
  return (
    <div className="flex justify-end gap-1">
      {canDuplicate ? <DuplicateProfileButton id={id} name={name} /> : null}
      {canDelete ? <DeleteProfileButton id={id} name={name} /> : null}
    </div>
  );
}

export function DuplicateProfileButton({
  id,
  name,
  variant = "ghost",
}: {
  id: string;
  name: string;
  variant?: "ghost" | "secondary";
}) {
  const router = useRouter();
  const fieldId = useId();
  const [open, setOpen] = useState(false);
  const [newName, setNewName] = useState("");
  const [copySecrets, setCopySecrets] = useState(false);
  const [error, setError] = useState<{ message: string; field?: string } | null>(null);
  const [pending, startTransition] = useTransition();

  const submit = () =>
    startTransition(async () => {
      const result = await duplicateProfileAction({ id, name: newName.trim() || undefined, copySecrets });
      if (!result.ok) {
        setError({ message: result.error.message, field: result.error.fields?.name });
        return;
      }
      setOpen(false);
      router.push(`/profiles/${result.data.id}?duplicated=1`);
    });

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (next) {
          setNewName(`Copy of ${name}`.slice(0, 100));
          setCopySecrets(false);
          setError(null);
        }
      }}
    >
      <DialogTrigger asChild>
        <Button variant={variant} size="sm" aria-label={`Duplicate ${name}`}>
          Duplicate
        </Button>
      </DialogTrigger>
      <DialogContent title={`Duplicate “${name}”`} description="The copy gets the same connection and authentication settings.">
        <form
          className="space-y-4"
          onSubmit={(event) => {
            event.preventDefault();
            submit();
          }}
        >
          <Field id={`${fieldId}-name`} label="Name of the copy" error={error?.field} required>
            <Input value={newName} onChange={(e) => setNewName(e.target.value)} maxLength={200} autoFocus />
          </Field>
          <div className="flex items-start gap-2">
            <input
              id={`${fieldId}-secrets`}
              type="checkbox"
              className="mt-0.5 size-4 rounded border-slate-300 focus-visible:outline-2 focus-visible:outline-blue-600"
              checked={copySecrets}
              onChange={(e) => setCopySecrets(e.target.checked)}
              aria-describedby={`${fieldId}-secrets-hint`}
            />
            <div>
              <label htmlFor={`${fieldId}-secrets`} className="text-sm font-medium text-slate-800">
                Copy stored secrets too
              </label>
              <p id={`${fieldId}-secrets-hint`} className="text-xs text-slate-600">
                Password, client secret, assertion and private key. Left unticked, the copy asks for them before it can be tested.
              </p>
            </div>
          </div>
          {error && !error.field ? <Alert tone="error">{error.message}</Alert> : null}
          <DialogFormFooter pending={pending} submitLabel="Duplicate" pendingLabel="Duplicating…" />
        </form>
      </DialogContent>
    </Dialog>
  );
}

export function DeleteProfileButton({
  id,
  name,
  afterDelete,
  variant = "ghost",
}: {
  id: string;
  name: string;
  afterDelete?: string;
  variant?: "ghost" | "secondary";
}) {
  const router = useRouter();
  return (
    <ConfirmDialog
      trigger={
        <Button variant={variant} size="sm" className="text-red-700" aria-label={`Delete ${name}`}>
          Delete
        </Button>
      }
      title={`Delete “${name}”?`}
      description="The profile and its stored secrets are removed for everyone. This cannot be undone."
      confirmLabel="Delete profile"
      pendingLabel="Deleting…"
      onConfirm={() => deleteProfileAction({ id })}
      onDone={() => {
        if (afterDelete) router.push(afterDelete);
        router.refresh();
      }}
    />
  );
}
