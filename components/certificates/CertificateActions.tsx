"use client";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Dialog, DialogContent, DialogTrigger, DialogFormFooter } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input, Select } from "@/components/ui/input";
import { deleteCertificateAction } from "@/lib/actions/certificates";

export function CertificateActions({
  id,
  name,
  inUse,
  canExportKey,
  canDelete,
}: {
  id: string;
  name: string;
  inUse: boolean;
  canExportKey: boolean;
  canDelete: boolean;
}) {
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
        const body = (await response.json().catch(() => null)) as {
          error?: { message?: string; fields?: Record<string, string> };
        } | null;
        setErrors({
          passphrase: body?.error?.fields?.passphrase,
          form: body?.error?.fields?.passphrase ? undefined : (body?.error?.message ?? "The export failed."),
        });
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
      <DialogContent
        title={`Export the private key of “${name}”`}
        description="Anyone with this file and its passphrase can sign in as the app. The key leaves the console only encrypted with the passphrase you choose here."
      >
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
            <Input
              type="password"
              autoComplete="new-password"
              value={passphrase}
              onChange={(e) => setPassphrase(e.target.value)}
            />
          </Field>
          <Field id="export-confirm" label="Repeat the passphrase" required error={errors.confirm}>
            <Input type="password" autoComplete="new-password" value={confirm} onChange={(e) => setConfirm(e.target.value)} />
          </Field>
          {errors.form ? <Alert tone="error">{errors.form}</Alert> : null}
          <DialogFormFooter pending={busy} submitLabel="Download encrypted key" pendingLabel="Exporting…" />
        </form>
      </DialogContent>
    </Dialog>
  );
}

function DeleteCertificateButton({ id, name, inUse }: { id: string; name: string; inUse: boolean }) {
  const router = useRouter();
  return (
    <ConfirmDialog
      trigger={
        <Button variant="secondary" className="text-red-700">
          Delete
        </Button>
      }
      title={`Delete “${name}”?`}
      description={
        inUse
          ? "Profiles still use this certificate: switch them to another one first."
          : "The certificate and its private key are removed from the console. This cannot be undone."
      }
      confirmLabel="Delete certificate"
      pendingLabel="Deleting…"
      onConfirm={() => deleteCertificateAction({ id })}
      onDone={() => {
        router.push("/certificates");
        router.refresh();
      }}
    />
  );
}
