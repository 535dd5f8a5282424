"use client";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { Dialog, DialogClose, DialogContent, DialogTrigger, DialogFormFooter } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input, Select } from "@/components/ui/input";
import { createApiTokenAction } from "@/lib/actions/api-tokens";
import { API_TOKEN_EXPIRY_CHOICES, createApiTokenSchema } from "@/lib/api/token-schema";

type Expiry = (typeof API_TOKEN_EXPIRY_CHOICES)[number]["value"];

/**
 * Create a token, then show it exactly once. The token lives only in this component's state: closing
 * the dialog drops it, and nothing on the server can show it again (only its hash is stored).
 */
export function CreateApiTokenDialog() {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [name, setName] = useState("");
  const [expiry, setExpiry] = useState<Expiry>("90");
  const [errors, setErrors] = useState<{ name?: string; expiresInDays?: string; form?: string }>({});
  const [token, setToken] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  const reset = () => {
    setName("");
    setExpiry("90");
    setErrors({});
    setToken(null);
  };

  const submit = () => {
    const input = { name, expiresInDays: expiry === "never" ? null : Number(expiry) };
    const checked = createApiTokenSchema.safeParse(input);
    if (!checked.success) {
      const fields: typeof errors = {};
      for (const issue of checked.error.issues) fields[issue.path[0] as "name" | "expiresInDays"] ??= issue.message;
      setErrors(fields);
      return;
    }
    startTransition(async () => {
      const result = await createApiTokenAction(checked.data);
      if (!result.ok) {
        setErrors({
          name: result.error.fields?.name,
          expiresInDays: result.error.fields?.expiresInDays,
          form: result.error.fields ? undefined : result.error.message,
        });
        return;
      }
      setErrors({});
      setToken(result.data.token);
    });
  };

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        // the list picks up the new token once the dialog (and the only copy of the token) is gone
        if (!next && token) router.refresh();
        if (!next) reset();
      }}
    >
      <DialogTrigger asChild>
        <Button>Create token</Button>
      </DialogTrigger>
      {token ? (
        <DialogContent
          title="Copy your new token"
          description="This is the only time the console shows it. Store it where your script reads its secrets."
        >
          <div className="space-y-4">
            <Alert tone="warning" live>
              Copy the token now: once you close this dialog it cannot be shown again. Anyone who has it can do what you can do in
              the console, until it expires or you revoke it.
            </Alert>
            <div className="flex items-center gap-2">
              <Input
                readOnly
                value={token}
                aria-label="Your new API token"
                className="font-mono text-xs"
                onFocus={(e) => e.currentTarget.select()}
                data-testid="new-api-token"
              />
              <CopyButton value={token} label="the API token" />
            </div>
            <p className="text-sm text-slate-600">
              Send it as <code className="rounded bg-slate-100 px-1 text-xs">Authorization: Bearer {token.slice(0, 8)}…</code> to
              the REST API (
              <a className="font-medium text-blue-700 underline" href="/api/v1/openapi.json">
                OpenAPI description
              </a>
              ).
            </p>
            <div className="flex justify-end">
              <DialogClose asChild>
                <Button>I have copied it</Button>
              </DialogClose>
            </div>
          </div>
        </DialogContent>
      ) : (
        <DialogContent
          title="Create an API token"
          description="A token acts with your current role and shares. It is shown once; the console keeps only a fingerprint of it."
        >
          <form
            className="space-y-4"
            noValidate
            onSubmit={(event) => {
              event.preventDefault();
              submit();
            }}
          >
            <Field
              id="token-name"
              label="Name"
              required
              hint="What uses it, e.g. “nightly export on build-01”"
              error={errors.name}
            >
              <Input value={name} maxLength={100} autoComplete="off" onChange={(e) => setName(e.target.value)} />
            </Field>
            <Field id="token-expiry" label="Expires" error={errors.expiresInDays}>
              <Select value={expiry} onChange={(e) => setExpiry(e.target.value as Expiry)}>
                {API_TOKEN_EXPIRY_CHOICES.map((choice) => (
                  <option key={choice.value} value={choice.value}>
                    {choice.label}
                  </option>
                ))}
              </Select>
            </Field>
            {errors.form ? <Alert tone="error">{errors.form}</Alert> : null}
            <DialogFormFooter pending={pending} submitLabel="Create token" pendingLabel="Creating…" />
          </form>
        </DialogContent>
      )}
    </Dialog>
  );
}
