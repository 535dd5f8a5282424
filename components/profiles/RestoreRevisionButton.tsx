"use client";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { restoreRevisionAction } from "@/lib/actions/revisions";

export function RestoreRevisionButton({
  profileId,
  number,
  currentVersion,
}: {
  profileId: string;
  number: number;
  currentVersion: number;
}) {
  const router = useRouter();
  return (
    <ConfirmDialog
      trigger={
        <Button variant="secondary" size="sm" aria-label={`Restore revision ${number}`}>
          Restore
        </Button>
      }
      title={`Restore revision ${number}?`}
      description={`Its configuration becomes a new revision (${currentVersion + 1}); nothing in the history is rewritten. Stored secrets stay as they are now: a secret that revision needs and the profile no longer holds must be entered again.`}
      confirmLabel={`Restore revision ${number}`}
      pendingLabel="Restoring…"
      tone="primary"
      onConfirm={() => restoreRevisionAction({ profileId, number, expectedVersion: currentVersion })}
      onDone={() => {
        router.push(`/profiles/${profileId}?restored=${number}`);
        router.refresh();
      }}
    />
  );
}
