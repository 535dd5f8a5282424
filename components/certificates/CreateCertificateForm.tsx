"use client";
import { zodResolver } from "@hookform/resolvers/zod";
import { useRouter } from "next/navigation";
import { useState } from "react";
import { useForm, type FieldValues, type Path, type UseFormReturn } from "react-hook-form";
import type { z } from "zod";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { Input, Select, Textarea } from "@/components/ui/input";
import { errorMessage } from "@/components/profiles/form-errors";
import { generateCertificateAction, importPemCertificateAction, importPfxCertificateAction } from "@/lib/actions/certificates";
import type { ActionResult } from "@/lib/actions/define-action";
import { generateCertificateSchema, importPemCertificateSchema, importPfxCertificateSchema } from "@/lib/certs/schema";

type Mode = "generate" | "pem" | "pfx";

/** Shared submit handling: server field errors land on their fields, anything else in one alert. */
function useSubmit<T extends FieldValues>(form: UseFormReturn<T>, action: (values: T) => Promise<ActionResult<{ id: string }>>) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(null);
  const onSubmit = form.handleSubmit(async (values) => {
    setError(null);
    const result = await action(values);
    if (!result.ok) {
      const fields = Object.entries(result.error.fields ?? {});
      for (const [path, message] of fields) form.setError(path as Path<T>, { type: "server", message });
      setError(fields.length ? "Check the fields marked below." : result.error.message);
      return;
    }
    router.push(`/certificates/${result.data.id}?created=1`);
  });
  return { onSubmit, error };
}

async function readFileText(file: File | undefined): Promise<string> {
  return file ? file.text() : "";
}

async function readFileBase64(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let binary = "";
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

export function CreateCertificateForm({ mode }: { mode: Mode }) {
  if (mode === "pem") return <ImportPemForm />;
  if (mode === "pfx") return <ImportPfxForm />;
  return <GenerateForm />;
}

function FormShell({
  onSubmit,
  error,
  submitting,
  submitLabel,
  children,
}: {
  onSubmit: () => void;
  error: string | null;
  submitting: boolean;
  submitLabel: string;
  children: React.ReactNode;
}) {
  return (
    <form
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        onSubmit();
      }}
      className="max-w-2xl space-y-4 rounded-lg border border-slate-200 bg-white p-5"
    >
      <div aria-live="polite">{error ? <Alert tone="error">{error}</Alert> : null}</div>
      {children}
      <div className="flex justify-end">
        <Button type="submit" disabled={submitting}>
          {submitting ? "Working…" : submitLabel}
        </Button>
      </div>
    </form>
  );
}

function GenerateForm() {
  const form = useForm<z.infer<typeof generateCertificateSchema>>({
    resolver: zodResolver(generateCertificateSchema),
    defaultValues: { name: "", commonName: "mail-connector", keySize: "2048", validityDays: "365" },
    mode: "onTouched",
  });
  const { onSubmit, error } = useSubmit(form, generateCertificateAction);
  const err = (path: string) => errorMessage(form.formState.errors, path);
  return (
    <FormShell onSubmit={onSubmit} error={error} submitting={form.formState.isSubmitting} submitLabel="Generate">
      <p className="text-sm text-slate-600">
        Creates an RSA key and a self-signed certificate (SHA-256) as Microsoft recommends for app registrations. Afterwards,
        download the <code>.cer</code> and upload it under
        <em> App registrations › your app › Certificates &amp; secrets</em>.
      </p>
      <Field id="cert-name" label="Name" required error={err("name")} hint="How the certificate is listed in this console">
        <Input autoComplete="off" {...form.register("name")} />
      </Field>
      <Field id="cert-cn" label="Subject common name (CN)" required error={err("commonName")}>
        <Input autoComplete="off" {...form.register("commonName")} />
      </Field>
      <div className="grid gap-4 sm:grid-cols-2">
        <Field
          id="cert-key-size"
          label="RSA key size"
          error={err("keySize")}
          hint="2048 is Microsoft's recommendation; larger keys sign more slowly"
        >
          <Select {...form.register("keySize")}>
            <option value="2048">2048 bits</option>
            <option value="3072">3072 bits</option>
            <option value="4096">4096 bits</option>
          </Select>
        </Field>
        <Field id="cert-days" label="Valid for (days)" error={err("validityDays")} hint="1–3650; Entra shows the expiry date">
          <Input inputMode="numeric" {...form.register("validityDays")} />
        </Field>
      </div>
    </FormShell>
  );
}

function ImportPemForm() {
  const form = useForm<z.infer<typeof importPemCertificateSchema>>({
    resolver: zodResolver(importPemCertificateSchema),
    defaultValues: { name: "", certificatePem: "", privateKeyPem: "", passphrase: "" },
    mode: "onTouched",
  });
  const { onSubmit, error } = useSubmit(form, importPemCertificateAction);
  const err = (path: string) => errorMessage(form.formState.errors, path);
  return (
    <FormShell onSubmit={onSubmit} error={error} submitting={form.formState.isSubmitting} submitLabel="Import">
      <Field id="pem-name" label="Name" required error={err("name")}>
        <Input autoComplete="off" {...form.register("name")} />
      </Field>
      <Field
        id="pem-cert"
        label="Certificate (PEM)"
        required
        error={err("certificatePem")}
        hint="-----BEGIN CERTIFICATE----- …, or a combined file with the key"
      >
        <Textarea rows={6} spellCheck={false} {...form.register("certificatePem")} />
      </Field>
      <FileToText
        label="Load certificate from a file"
        accept=".pem,.crt,.cer"
        onText={(text) => form.setValue("certificatePem", text, { shouldValidate: true })}
      />
      <Field
        id="pem-key"
        label="Private key (PEM)"
        error={err("privateKeyPem")}
        hint="PKCS#1, PKCS#8 or encrypted PKCS#8; leave blank if it is in the certificate text"
      >
        <Textarea rows={6} spellCheck={false} autoComplete="off" {...form.register("privateKeyPem")} />
      </Field>
      <FileToText
        label="Load private key from a file"
        accept=".pem,.key"
        onText={(text) => form.setValue("privateKeyPem", text, { shouldValidate: true })}
      />
      <Field id="pem-passphrase" label="Key passphrase" error={err("passphrase")} hint="Only for an encrypted key">
        <Input type="password" autoComplete="new-password" {...form.register("passphrase")} />
      </Field>
    </FormShell>
  );
}

function FileToText({ label, accept, onText }: { label: string; accept: string; onText: (text: string) => void }) {
  const id = label.toLowerCase().replace(/\W+/g, "-");
  return (
    <div>
      <label htmlFor={id} className="text-xs font-medium text-slate-700">
        {label}
      </label>
      <input
        id={id}
        type="file"
        accept={accept}
        className="mt-1 block text-sm text-slate-700 file:mr-3 file:rounded file:border file:border-slate-300 file:bg-white file:px-2 file:py-1"
        onChange={async (e) => onText(await readFileText(e.target.files?.[0]))}
      />
    </div>
  );
}

function ImportPfxForm() {
  const form = useForm<z.infer<typeof importPfxCertificateSchema>>({
    resolver: zodResolver(importPfxCertificateSchema),
    defaultValues: { name: "", pfxBase64: "", password: "" },
    mode: "onTouched",
  });
  const { onSubmit, error } = useSubmit(form, importPfxCertificateAction);
  const err = (path: string) => errorMessage(form.formState.errors, path);
  return (
    <FormShell onSubmit={onSubmit} error={error} submitting={form.formState.isSubmitting} submitLabel="Import">
      <Field id="pfx-name" label="Name" required error={err("name")}>
        <Input autoComplete="off" {...form.register("name")} />
      </Field>
      <Field
        id="pfx-file"
        label="PFX / PKCS#12 file"
        required
        error={err("pfxBase64") ?? err("pfx")}
        hint=".pfx or .p12, up to 1 MiB"
      >
        <input
          type="file"
          accept=".pfx,.p12"
          className="block text-sm text-slate-700 file:mr-3 file:rounded file:border file:border-slate-300 file:bg-white file:px-2 file:py-1"
          onChange={async (e) => {
            const file = e.target.files?.[0];
            form.setValue("pfxBase64", file ? await readFileBase64(file) : "", { shouldValidate: true });
            if (file && !form.getValues("name")) form.setValue("name", file.name.replace(/\.(pfx|p12)$/i, ""));
          }}
        />
      </Field>
      <Field id="pfx-password" label="Password" error={err("password")}>
        <Input type="password" autoComplete="new-password" {...form.register("password")} />
      </Field>
    </FormShell>
  );
}
