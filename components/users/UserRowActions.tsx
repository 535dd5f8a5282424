"use client";
import { useRouter } from "next/navigation";
import { useId, useState, useTransition, type ReactNode } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { Dialog, DialogClose, DialogContent, DialogTrigger, DialogFormFooter } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { Input, Select } from "@/components/ui/input";
import {
  changeUserRoleAction,
  disableUserAction,
  enableUserAction,
  removeUserAction,
  resetUserPasswordAction,
  unlockUserSignInAction,
} from "@/lib/actions/users";
import { roleLabels } from "@/lib/auth/permissions";
import type { AssignableRole } from "@/lib/users/rules";

type Result = { ok: true } | { ok: false; error: { message: string; fields?: Record<string, string> } };

export interface UserRowPermissions {
  /** roles this admin may give the user; empty when the role cannot be changed */
  roles: AssignableRole[];
  disable: boolean;
  enable: boolean;
  remove: boolean;
  resetPassword: boolean;
  /** shown only while some address is slowed on this account */
  unlockSignIn: boolean;
}

export interface UserRowTarget {
  id: string;
  name: string;
  email: string;
  disabled: boolean;
  profilesOwned: number;
  certificatesCreated: number;
}

/** The buttons of one row of the users table: only those the rules allow this admin are shown. */
export function UserRowActions({
  user,
  allowed,
  ownerLabel,
  minPasswordLength,
}: {
  user: UserRowTarget;
  allowed: UserRowPermissions;
  ownerLabel: string;
  minPasswordLength: number;
}) {
  const hasAny =
    allowed.roles.length > 0 ||
    allowed.resetPassword ||
    allowed.disable ||
    allowed.enable ||
    allowed.remove ||
    allowed.unlockSignIn;
  if (!hasAny) return <span className="text-xs text-slate-500">—</span>;
  return (
    <div className="flex flex-wrap justify-end gap-1">
      {allowed.roles.length > 0 ? <ChangeRoleButton user={user} roles={allowed.roles} /> : null}
      {allowed.resetPassword ? <ResetPasswordButton user={user} minPasswordLength={minPasswordLength} /> : null}
      {allowed.unlockSignIn ? (
        <ConfirmButton
          label="Unlock sign-in"
          ariaLabel={`Unlock the sign-in of ${user.name}`}
          title={`Unlock the sign-in of ${user.name}?`}
          description={
            <>
              Failed sign-ins have slowed this account down on some addresses. Unlocking lets every address try again at once. If
              the failures were not theirs, someone may be guessing the password: consider resetting it instead.
            </>
          }
          confirmLabel="Unlock sign-in"
          run={() => unlockUserSignInAction({ userId: user.id })}
        />
      ) : null}
      {user.disabled && allowed.enable ? (
        <ConfirmButton
          label="Enable"
          ariaLabel={`Enable ${user.name}`}
          title={`Enable ${user.name}?`}
          description={<>They can sign in again with their password.</>}
          confirmLabel="Enable account"
          run={() => enableUserAction({ userId: user.id })}
        />
      ) : null}
      {!user.disabled && allowed.disable ? (
        <ConfirmButton
          label="Disable"
          ariaLabel={`Disable ${user.name}`}
          title={`Disable ${user.name}?`}
          description={
            <>
              They are signed out everywhere now and cannot sign in until enabled again. Their profiles, shares and certificates
              stay as they are.
            </>
          }
          confirmLabel="Disable account"
          danger
          run={() => disableUserAction({ userId: user.id })}
        />
      ) : null}
      {allowed.remove ? (
        <ConfirmButton
          label="Remove"
          ariaLabel={`Remove ${user.name}`}
          title={`Remove ${user.name}?`}
          description={
            <>
              {user.profilesOwned + user.certificatesCreated === 0
                ? "They look after no profiles or certificates."
                : `Their ${plural(user.profilesOwned, "profile")} and ${plural(user.certificatesCreated, "certificate")} pass to the console owner, ${ownerLabel}.`}{" "}
              The shares given to them and their sessions end; their entries in the audit log stay. The account cannot be
              restored: invite them again if needed.
            </>
          }
          confirmLabel="Remove user"
          danger
          run={() => removeUserAction({ userId: user.id })}
        />
      ) : null}
    </div>
  );
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

function ConfirmButton({
  label,
  ariaLabel,
  title,
  description,
  confirmLabel,
  danger,
  run,
}: {
  label: string;
  ariaLabel: string;
  title: string;
  description: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  run: () => Promise<Result>;
}) {
  const router = useRouter();
  return (
    <ConfirmDialog
      trigger={
        <Button variant="ghost" size="sm" className={danger ? "text-red-700" : undefined} aria-label={ariaLabel}>
          {label}
        </Button>
      }
      title={title}
      description={description}
      confirmLabel={confirmLabel}
      pendingLabel="Please wait…"
      tone={danger ? "danger" : "primary"}
      onConfirm={async () => {
        const result = await run();
        return result.ok ? { ok: true } : result;
      }}
      onDone={() => router.refresh()}
    />
  );
}

function ChangeRoleButton({ user, roles }: { user: UserRowTarget; roles: AssignableRole[] }) {
  const router = useRouter();
  const fieldId = useId();
  const [open, setOpen] = useState(false);
  // a promotion to admin is never the preselected choice: it has to be picked on purpose
  const initialRole = roles.find((r) => r !== "admin") ?? roles[0]!;
  const [role, setRole] = useState<AssignableRole>(initialRole);
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  const submit = () =>
    startTransition(async () => {
      const result = await changeUserRoleAction({ userId: user.id, role });
      if (!result.ok) {
        setError(result.error.message);
        return;
      }
      setOpen(false);
      router.refresh();
    });
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (next) {
          setRole(initialRole);
          setError(null);
        }
      }}
    >
      <DialogTrigger asChild>
        <Button variant="ghost" size="sm" aria-label={`Change the role of ${user.name}`}>
          Role…
        </Button>
      </DialogTrigger>
      <DialogContent
        title={`Change the role of ${user.name}`}
        description="Admins manage users and every profile; editors create profiles and work on shared ones; viewers see only what is shared with them. It applies from their next click."
      >
        <form
          className="space-y-4"
          onSubmit={(event) => {
            event.preventDefault();
            submit();
          }}
        >
          <Field id={`${fieldId}-role`} label="New role" required>
            <Select value={role} onChange={(e) => setRole(e.target.value as AssignableRole)}>
              {roles.map((r) => (
                <option key={r} value={r}>
                  {roleLabels[r]}
                </option>
              ))}
            </Select>
          </Field>
          {error ? <Alert tone="error">{error}</Alert> : null}
          <DialogFormFooter pending={pending} submitLabel="Change role" pendingLabel="Saving…" />
        </form>
      </DialogContent>
    </Dialog>
  );
}

function ResetPasswordButton({ user, minPasswordLength }: { user: UserRowTarget; minPasswordLength: number }) {
  const fieldId = useId();
  const [open, setOpen] = useState(false);
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [error, setError] = useState<{ message: string; fields?: Record<string, string> } | null>(null);
  const [done, setDone] = useState(false);
  const [pending, startTransition] = useTransition();
  const submit = () =>
    startTransition(async () => {
      const result = await resetUserPasswordAction({ userId: user.id, password, confirm });
      if (!result.ok) {
        setError(result.error);
        return;
      }
      setPassword("");
      setConfirm("");
      setError(null);
      setDone(true);
    });
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        setPassword("");
        setConfirm("");
        setError(null);
        setDone(false);
      }}
    >
      <DialogTrigger asChild>
        <Button variant="ghost" size="sm" aria-label={`Reset the password of ${user.name}`}>
          Reset password…
        </Button>
      </DialogTrigger>
      <DialogContent
        title={`Reset the password of ${user.name}`}
        description="Set a new password and pass it on to them; they can change it on their account page. They are signed out everywhere."
      >
        {done ? (
          <div className="space-y-4">
            <Alert tone="success" live>
              Password reset. {user.name} was signed out everywhere; pass the new password on to them through a channel you trust.
            </Alert>
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
            <input type="text" name="username" autoComplete="username" value={user.email} readOnly hidden />
            <Field
              id={`${fieldId}-password`}
              label="New password"
              hint={`At least ${minPasswordLength} characters`}
              error={error?.fields?.password}
              required
            >
              <Input
                type="password"
                autoComplete="new-password"
                value={password}
                onChange={(e) => setPassword(e.target.value)}
                maxLength={128}
              />
            </Field>
            <Field id={`${fieldId}-confirm`} label="Repeat the new password" error={error?.fields?.confirm} required>
              <Input
                type="password"
                autoComplete="new-password"
                value={confirm}
                onChange={(e) => setConfirm(e.target.value)}
                maxLength={128}
              />
            </Field>
            <div aria-live="polite">{error && !error.fields ? <Alert tone="error">{error.message}</Alert> : null}</div>
            <DialogFormFooter pending={pending} submitLabel="Set password" pendingLabel="Saving…" />
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}
