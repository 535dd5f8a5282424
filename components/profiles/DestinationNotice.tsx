"use client";
import { Alert } from "@/components/ui/alert";
import { changedParts, destinationChangeNotice, destinationsOf, type DestinationPart } from "@/lib/profiles/destinations";
import type { ProfileInput } from "@/lib/profiles/schema";
import type { SecretField } from "@/lib/profiles/secret-fields";
import { secretsInUse, typedSecrets } from "@/lib/profiles/summary";

/**
 * Stored secrets that the values on screen would send somewhere else than where they were saved
 * to go, and which destinations changed. The server refuses such a Test or save with a field error
 * on the secret (lib/profile-operations/secret-binding.ts); this says so as soon as a destination changes.
 */
export function retargetedSecrets(
  saved: ProfileInput,
  current: ProfileInput,
): { fields: SecretField[]; parts: DestinationPart[] } {
  const typed = typedSecrets(current);
  const before = destinationsOf(saved);
  const now = destinationsOf(current);
  const fields: SecretField[] = [];
  const parts = new Set<DestinationPart>();
  for (const field of secretsInUse(current.authentication)) {
    if (!current.secrets.stored[field] || current.secrets.clear.includes(field) || typed[field]) continue;
    const changed = changedParts(field, before, now);
    if (changed.length === 0) continue;
    fields.push(field);
    for (const part of changed) parts.add(part);
  }
  return { fields, parts: (["mail", "token", "trust"] as const).filter((part) => parts.has(part)) };
}

/** Shown beside the destination fields of one section (`parts`: the destinations that section edits). */
export function DestinationNotice({
  saved,
  current,
  parts,
}: {
  saved: ProfileInput;
  current: ProfileInput;
  parts: readonly DestinationPart[];
}) {
  const retargeted = retargetedSecrets(saved, current);
  const here = retargeted.parts.filter((part) => parts.includes(part));
  if (retargeted.fields.length === 0 || here.length === 0) return null;
  return (
    <Alert tone="warning" live>
      {destinationChangeNotice(retargeted.fields, here)}
    </Alert>
  );
}
