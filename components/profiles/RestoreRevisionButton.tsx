"use client";
import * as AlertDialog from "@radix-ui/react-alert-dialog";
import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { restoreRevisionAction } from "@/lib/actions/revisions";

export function RestoreRevisionButton({ profileId, number, currentVersion }: { profileId: string; number: number; currentVersion: number }) {
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();
  return (
    <AlertDialog.Root open={open} onOpenChange={(next) => { setOpen(next); setError(null); }}>
      <AlertDialog.Trigger asChild>
        <Button variant="secondary" size="sm" aria-label={`Restore revision ${number}`}>Restore</Button>
      </AlertDialog.Trigger>
      <AlertDialog.Portal>
        <AlertDialog.Overlay className="fixed inset-0 z-40 bg-slate-900/40" />
        <AlertDialog.Content className="fixed top-1/2 left-1/2 z-50 w-[min(30rem,calc(100vw-2rem))] -translate-x-1/2 -translate-y-1/2 rounded-lg bg-white p-5 shadow-xl">
          <AlertDialog.Title className="text-base font-semibold">Restore revision {number}?</AlertDialog.Title>
          <AlertDialog.Description className="mt-1 text-sm text-slate-600">
            Its configuration becomes a new revision ({currentVersion + 1}); nothing in the history is rewritten. Stored secrets stay as they are now: a secret that revision needs and the profile no longer holds must be entered again.
          </AlertDialog.Description>
          {error ? <Alert tone="error" className="mt-3">{error}</Alert> : null}
          <div className="mt-5 flex justify-end gap-2">
            <AlertDialog.Cancel asChild>
              <Button variant="secondary">Cancel</Button>
            </AlertDialog.Cancel>
            <Button
              disabled={pending}
              onClick={() =>
                startTransition(async () => {
                  const result = await restoreRevisionAction({ profileId, number, expectedVersion: currentVersion });
                  if (!result.ok) return setError(result.error.message);
                  setOpen(false);
                  router.push(`/profiles/${profileId}?restored=${number}`);
                  router.refresh();
                })
              }
            >
              {pending ? "Restoring…" : `Restore revision ${number}`}
            </Button>
          </div>
        </AlertDialog.Content>
      </AlertDialog.Portal>
    </AlertDialog.Root>
  );
}
