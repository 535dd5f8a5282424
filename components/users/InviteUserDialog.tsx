"use client";
import { useRouter } from "next/navigation";
import { useId, useState, useTransition } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { Dialog, DialogClose, DialogContent, DialogTrigger, DialogFormFooter } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input, Select } from "@/components/ui/input";
import { inviteUserAction } from "@/lib/actions/users";
import { roleLabels } from "@/lib/auth/permissions";
import type { AssignableRole } from "@/lib/users/rules";

interface Created {
  email: string;
  link: string;
  expiresAt: string;
  replaced: boolean;
}

/**
 * Invite someone: the console has no mail server, so the one-time link is shown here (once) for the
 * admin to pass on. Only a hash of it is stored; closing the dialog is the last chance to copy it.
 */
export function InviteUserDialog({ roles }: { roles: AssignableRole[] }) {
  const router = useRouter();
  const id = useId();
  const [open, setOpen] = useState(false);
  const [email, setEmail] = useState("");
  const [name, setName] = useState("");
  const [role, setRole] = useState<AssignableRole>(roles.includes("editor") ? "editor" : roles[0]!);
  const [error, setError] = useState<{ message: string; fields?: Record<string, string> } | null>(null);
  const [created, setCreated] = useState<Created | null>(null);
  const [pending, startTransition] = useTransition();

  const submit = () =>
    startTransition(async () => {
      const result = await inviteUserAction({ email: email.trim(), name, role });
      if (!result.ok) {
        setError(result.error);
        return;
      }
      setError(null);
      // the server knows the path only; the origin is the one this admin reached the console at
      setCreated({
        email: result.data.email,
        link: `${window.location.origin}${result.data.path}`,
        expiresAt: result.data.expiresAt,
        replaced: result.data.replaced,
      });
      router.refresh();
    });

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (next) {
          setEmail("");
          setName("");
          setError(null);
          setCreated(null);
        }
      }}
    >
      <DialogTrigger asChild>
        <Button>Invite user</Button>
      </DialogTrigger>
      <DialogContent
        title={created ? "Invitation link" : "Invite a user"}
        description={created ? undefined : "They choose their own password when they open the link."}
      >
        {created ? (
          <div className="space-y-4">
            <Alert tone="success" live>
              Invitation for {created.email} created{created.replaced ? "; the earlier link for this email no longer works" : ""}.
            </Alert>
            <div className="space-y-1">
              <label htmlFor={`${id}-link`} className="block text-sm font-medium text-slate-800">
                One-time link
              </label>
              <div className="flex items-center gap-1">
                <Input
                  id={`${id}-link`}
                  value={created.link}
                  readOnly
                  className="font-mono text-xs"
                  onFocus={(e) => e.currentTarget.select()}
                  aria-describedby={`${id}-link-hint`}
                />
                <CopyButton value={created.link} label="invitation link" />
              </div>
              <p id={`${id}-link-hint`} className="text-xs text-slate-600">
                This console does not send email: pass the link on yourself, through a channel you trust. It works once, until{" "}
                <time dateTime={created.expiresAt}>{created.expiresAt.slice(0, 16).replace("T", " ")} UTC</time>, and is not shown
                again.
              </p>
            </div>
            <div className="flex justify-end">
              <DialogClose asChild>
                <Button>Done</Button>
              </DialogClose>
            </div>
          </div>
        ) : (
          <form
            className="space-y-4"
            noValidate
            onSubmit={(event) => {
              event.preventDefault();
              submit();
            }}
          >
            <Field id={`${id}-email`} label="Email" error={error?.fields?.email} required>
              <Input
                type="email"
                autoComplete="off"
                value={email}
                onChange={(e) => setEmail(e.target.value)}
                maxLength={320}
                autoFocus
              />
            </Field>
            <Field id={`${id}-name`} label="Name" error={error?.fields?.name} required>
              <Input autoComplete="off" value={name} onChange={(e) => setName(e.target.value)} maxLength={100} />
            </Field>
            <Field
              id={`${id}-role`}
              label="Role"
              error={error?.fields?.role}
              hint={
                roles.includes("admin") ? "Admins manage users and every profile." : "Only the console owner can invite admins."
              }
              required
            >
              <Select value={role} onChange={(e) => setRole(e.target.value as AssignableRole)}>
                {roles.map((r) => (
                  <option key={r} value={r}>
                    {roleLabels[r]}
                  </option>
                ))}
              </Select>
            </Field>
            <div aria-live="polite">{error && !error.fields ? <Alert tone="error">{error.message}</Alert> : null}</div>
            <DialogFormFooter pending={pending} submitLabel="Create invitation link" pendingLabel="Creating…" />
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}
