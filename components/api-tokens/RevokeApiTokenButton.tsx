"use client";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/button";
import { ConfirmDialog } from "@/components/ui/confirm-dialog";
import { revokeApiTokenAction } from "@/lib/actions/api-tokens";

export function RevokeApiTokenButton({
  id,
  name,
  prefix,
  ownerLabel,
}: {
  id: string;
  name: string;
  prefix: string;
  ownerLabel?: string;
}) {
  const router = useRouter();
  return (
    <ConfirmDialog
      trigger={
        <Button variant="secondary" size="sm" className="text-red-700" aria-label={`Revoke token ${name}`}>
          Revoke
        </Button>
      }
      title={`Revoke “${name}”?`}
      description={
        <>
          Scripts using <span className="font-mono">{prefix}…</span>
          {ownerLabel ? ` (${ownerLabel})` : ""} are refused from their next request. This cannot be undone; a new token can be
          created at any time.
        </>
      }
      confirmLabel="Revoke token"
      pendingLabel="Revoking…"
      onConfirm={async () => {
        const result = await revokeApiTokenAction({ id });
        return result.ok ? { ok: true } : result;
      }}
      onDone={() => router.refresh()}
    />
  );
}
