"use client";
import * as AlertDialog from "@radix-ui/react-alert-dialog";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogTrigger } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input, Select } from "@/components/ui/input";
import { deleteCertificateAction } from "@/lib/actions/certificates";

export function CertificateActions({ id, name, inUse, canExportKey, canDelete }: { id: string; name: string; inUse: boolean; canExportKey: boolean; canDelete: boolean }) {
  return (
    <div className="flex gap-2">
      {canExportKey ? <ExportPrivateKeyButton id={id} name={name} /> : null}
      {canDelete ? <DeleteCertificateButton id={id} name={name} inUse={inUse} /> : null}
    </div>
  );
}

function ExportPrivateKeyButton({ id, name }: { id: string; name: string }) {
  const [open, setOpen] = useState(false);
  const [format, setFormat] = useState<"pfx" | "pkcs8">("pfx");
  const [passphrase, setPassphrase] = useState("");
  const [confirm, setConfirm] = useState("");
  const [errors, setErrors] = useState<{ passphrase?: string; confirm?: string; form?: string }>({});
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    const next: typeof errors = {};
    if (passphrase.length < 8) next.passphrase = "At least 8 characters";
    if (confirm !== passphrase) next.confirm = "The two passphrases differ";
    setErrors(next);
    if (next.passphrase || next.confirm) return;
    setBusy(true);
    try {
      const response = await fetch(`/api/certificates/${id}/private-key`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ format, passphrase }),
      });
      if (!response.ok) {
        const body = (await response.json().catch(() => null)) as { error?: { message?: string; fields?: Record<string, string> } } | null;
        setErrors({ passphrase: body?.error?.fields?.passphrase, form: body?.error?.fields?.passphrase ? undefined : (body?.error?.message ?? "The export failed.") });
        return;
      }
      const blob = await response.blob();
      const fileName = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") ?? "")?.[1] ?? "private-key";
      const url = URL.createObjectURL(blob);
      const link = document.createElement("a");
      link.href = url;
      link.download = fileName;
      link.click();
      URL.revokeObjectURL(url);
      setOpen(false);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        setPassphrase("");
        setConfirm("");
        setErrors({});
      }}
    >
      <DialogTrigger asChild>
        <Button variant="secondary">Export private key…</Button>
      </DialogTrigger>
      <DialogContent title={`Export the private key of “${name}”`} description="Anyone with this file and its passphrase can sign in as the app. The key leaves the console only encrypted with the passphrase you choose here.">
        <form
          className="space-y-4"
          onSubmit={(event) => {
            event.preventDefault();
            void submit();
          }}
        >
          <Field id="export-format" label="Format">
            <Select value={format} onChange={(e) => setFormat(e.target.value as "pfx" | "pkcs8")}>
              <option value="pfx">PFX / PKCS#12 with the certificate (.pfx)</option>
              <option value="pkcs8">Encrypted PKCS#8 key only (.key.pem)</option>
            </Select>
          </Field>
          <Field id="export-passphrase" label="Passphrase" required error={errors.passphrase}>
            <Input type="password" autoComplete="new-password" value={passphrase} onChange={(e) => setPassphrase(e.target.value)} />
          </Field>
          <Field id="export-confirm" label="Repeat the passphrase" required error={errors.confirm}>
            <Input type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} />
          </Field>
          {errors.form ? <Alert tone="error">{errors.form}</Alert> : null}
          <div className="flex justify-end gap-2">
            <DialogClose asChild>
              <Button variant="secondary">Cancel</Button>
            </DialogClose>
            <Button type="submit" disabled={busy}>
              {busy ? "Exporting…" : "Download encrypted key"}
            </Button>
          </div>
        </form>
      </DialogContent>
    </Dialog>
  );
}

function DeleteCertificateButton({ id, name, inUse }: { id: string; name: string; inUse: boolean }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  return (
    <AlertDialog.Root
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        setError(null);
      }}
    >
      <AlertDialog.Trigger asChild>
        <Button variant="secondary" className="text-red-700">
          Delete
        </Button>
      </AlertDialog.Trigger>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="fixed inset-0 z-40 bg-slate-900/40" />
        <AlertDialog.Content className="fixed top-1/2 left-1/2 z-50 w-[min(28rem,calc(100vw-2rem))] -translate-x-1/2 -translate-y-1/2 rounded-lg bg-white p-5 shadow-xl">
          <AlertDialog.Title className="text-base font-semibold">Delete “{name}”?</AlertDialog.Title>
          <AlertDialog.Description className="mt-1 text-sm text-slate-600">
            {inUse ? "Profiles still use this certificate: switch them to another one first." : "The certificate and its private key are removed from the console. This cannot be undone."}
          </AlertDialog.Description>
          {error ? <Alert tone="error" className="mt-3">{error}</Alert> : null}
          <div className="mt-5 flex justify-end gap-2">
            <AlertDialog.Cancel asChild>
              <Button variant="secondary">Cancel</Button>
            </AlertDialog.Cancel>
            <Button
              variant="danger"
              disabled={pending}
              onClick={() =>
                startTransition(async () => {
                  const result = await deleteCertificateAction({ id });
                  if (!result.ok) return setError(result.error.message);
                  setOpen(false);
                  router.push("/certificates");
                  router.refresh();
                })
              }
            >
              {pending ? "Deleting…" : "Delete certificate"}
            </Button>
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}
