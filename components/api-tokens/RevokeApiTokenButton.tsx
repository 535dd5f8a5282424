"use client";
import * as AlertDialog from "@radix-ui/react-alert-dialog";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { revokeApiTokenAction } from "@/lib/actions/api-tokens";

export function RevokeApiTokenButton({ id, name, prefix, ownerLabel }: { id: string; name: string; prefix: string; ownerLabel?: string }) {
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
        <Button variant="secondary" size="sm" className="text-red-700" aria-label={`Revoke token ${name}`}>
          Revoke
        </Button>
      </AlertDialog.Trigger>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="fixed inset-0 z-40 bg-slate-900/40" />
        <AlertDialog.Content className="fixed top-1/2 left-1/2 z-50 w-[min(28rem,calc(100vw-2rem))] -translate-x-1/2 -translate-y-1/2 rounded-lg bg-white p-5 shadow-xl">
          <AlertDialog.Title className="text-base font-semibold">Revoke “{name}”?</AlertDialog.Title>
          <AlertDialog.Description className="mt-1 text-sm text-slate-600">
            Scripts using <span className="font-mono">{prefix}…</span>
            {ownerLabel ? ` (${ownerLabel})` : ""} are refused from their next request. This cannot be undone; a new token can be created at any time.
          </AlertDialog.Description>
          {error ? (
            <Alert tone="error" className="mt-3">
              {error}
            </Alert>
          ) : null}
          <div className="mt-5 flex justify-end gap-2">
            <AlertDialog.Cancel asChild>
              <Button variant="secondary">Cancel</Button>
            </AlertDialog.Cancel>
            <Button
              variant="danger"
              disabled={pending}
              onClick={() =>
                startTransition(async () => {
                  const result = await revokeApiTokenAction({ id });
                  if (!result.ok) return setError(result.error.message);
                  setOpen(false);
                  router.refresh();
                })
              }
            >
              {pending ? "Revoking…" : "Revoke token"}
            </Button>
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}
