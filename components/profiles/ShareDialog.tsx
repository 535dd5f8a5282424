"use client";
import { useState, useTransition } from "react";
import { Alert } from "@/components/ui/alert";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogTrigger } from "@/components/ui/dialog";
import { Select } from "@/components/ui/input";
import { getProfileSharingAction, removeProfileShareAction, setProfileShareAction } from "@/lib/actions/sharing";
import { SHARE_LEVELS, levelDescriptions, levelLabels, type ShareLevel } from "@/lib/auth/permissions";
import type { ProfileSharing } from "@/lib/profile-operations/sharing";

/** Who has what on this profile, and the controls to change it (Manage level only). */
export function ShareDialog({ profileId, profileName }: { profileId: string; profileName: string }) {
  const [open, setOpen] = useState(false);
  const [sharing, setSharing] = useState<ProfileSharing | null>(null);
  const [grantee, setGrantee] = useState("");
  const [level, setLevel] = useState<ShareLevel>("use");
  const [error, setError] = useState<string | null>(null);
  const [pending, startTransition] = useTransition();

  const apply = (promise: Promise<{ ok: true; data: ProfileSharing } | { ok: false; error: { message: string } }>) =>
    startTransition(async () => {
      const result = await promise;
      if (result.ok) {
        setSharing(result.data);
        setError(null);
      } else setError(result.error.message);
    });

  const sharedKeys = new Set(sharing?.shares.map((s) => s.granteeKey));
  const choices = [
    ...(sharedKeys.has("*") ? [] : [{ id: "*", label: "Everyone in this console" }]),
    ...(sharing?.candidates.filter((c) => !sharedKeys.has(c.id)) ?? []),
  ];

  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        setOpen(next);
        if (next) {
          setSharing(null);
          setGrantee("");
          apply(getProfileSharingAction({ profileId }));
        }
      }}
    >
      <DialogTrigger asChild>
        <Button variant="secondary">Share…</Button>
      </DialogTrigger>
      <DialogContent
        busy={!sharing || pending}
        title={`Share “${profileName}”`}
        description="Use: see the configuration without secrets and run Test. Edit: change it and replace secrets. Manage: share and delete. Nobody can read a stored secret back."
      >
        <div className="space-y-4">
          {error ? <Alert tone="error">{error}</Alert> : null}
          {!sharing ? (
            <p className="text-sm text-slate-600">Loading…</p>
          ) : (
            <>
              <table className="w-full text-sm" aria-label="Who has access">
                <thead className="text-left text-xs text-slate-600">
                  <tr>
                    <th scope="col" className="pb-1 font-medium">
                      Who
                    </th>
                    <th scope="col" className="pb-1 font-medium">
                      Access
                    </th>
                    <th scope="col" className="pb-1">
                      <span className="sr-only">Remove</span>
                    </th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-slate-100">
                  <tr>
                    <td className="py-1.5">{sharing.owner?.label ?? "Console owner and admins"}</td>
                    <td className="py-1.5 text-slate-600">Owner (manage)</td>
                    <td />
                  </tr>
                  {sharing.shares.map((share) => (
                    <tr key={share.granteeKey} data-share={share.label}>
                      <td className="py-1.5">{share.label}</td>
                      <td className="py-1.5">
                        <label className="sr-only" htmlFor={`level-${share.granteeKey}`}>
                          Access of {share.label}
                        </label>
                        <Select
                          id={`level-${share.granteeKey}`}
                          className="h-8 w-32"
                          value={share.level}
                          disabled={pending}
                          onChange={(e) =>
                            apply(
                              setProfileShareAction({
                                profileId,
                                grantee: share.granteeKey,
                                level: e.target.value as ShareLevel,
                              }),
                            )
                          }
                        >
                          {SHARE_LEVELS.map((l) => (
                            <option key={l} value={l}>
                              {levelLabels[l]}
                            </option>
                          ))}
                        </Select>
                      </td>
                      <td className="py-1.5 text-right">
                        <Button
                          variant="ghost"
                          size="sm"
                          disabled={pending}
                          aria-label={`Remove access of ${share.label}`}
                          onClick={() => apply(removeProfileShareAction({ profileId, grantee: share.granteeKey }))}
                        >
                          Remove
                        </Button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <form
                className="flex flex-wrap items-end gap-2 border-t border-slate-200 pt-3"
                onSubmit={(event) => {
                  event.preventDefault();
                  if (grantee) apply(setProfileShareAction({ profileId, grantee, level }));
                  setGrantee("");
                }}
              >
                <div className="min-w-56 flex-1">
                  <label htmlFor="share-grantee" className="text-sm font-medium">
                    Share with
                  </label>
                  <Select id="share-grantee" value={grantee} onChange={(e) => setGrantee(e.target.value)}>
                    <option value="">Choose…</option>
                    {choices.map((c) => (
                      <option key={c.id} value={c.id}>
                        {c.label}
                      </option>
                    ))}
                  </Select>
                </div>
                <div>
                  <label htmlFor="share-level" className="text-sm font-medium">
                    Access
                  </label>
                  <Select
                    id="share-level"
                    value={level}
                    onChange={(e) => setLevel(e.target.value as ShareLevel)}
                    title={levelDescriptions[level]}
                  >
                    {SHARE_LEVELS.map((l) => (
                      <option key={l} value={l}>
                        {levelLabels[l]}
                      </option>
                    ))}
                  </Select>
                </div>
                <Button type="submit" disabled={!grantee || pending}>
                  Share
                </Button>
              </form>
            </>
          )}
        </div>
      </DialogContent>
    </Dialog>
  );
}
