import { z } from "zod";
import { AppError } from "@/lib/errors";

/**
 * A person's display name. It becomes the actor label of audit events ("Name <email>") and shows on
 * every page, so it is one trimmed line of 1–100 characters with nothing that could fake another
 * entry or another person: no control characters (CR/LF would start a new line in the CSV export or a
 * log), no Unicode line separators or bidirectional overrides (they reorder what is displayed), and no
 * "<" or ">" (which delimit the email in a label: "Owner <owner@…>" would pass for the owner).
 * Client-safe: the forms, the server actions and the better-auth hooks share this one schema.
 */
export const DISPLAY_NAME_MAX = 100;

// C0/C1 controls, line/paragraph separators, bidi embeddings, overrides and isolates, and the
// zero-width characters that hide inside a name
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff<>]/;

export const displayNameSchema = z
  .string("Enter a name")
  .trim()
  .min(1, "Enter a name")
  .max(DISPLAY_NAME_MAX, `At most ${DISPLAY_NAME_MAX} characters`)
  .refine(
    (name) => !FORBIDDEN.test(name),
    "Use one line of letters, digits, spaces and punctuation (no < or >, no control characters)",
  );

/** The first problem with a name, or null when it is acceptable. */
export function displayNameProblem(name: unknown): string | null {
  const parsed = displayNameSchema.safeParse(name);
  return parsed.success ? null : (parsed.error.issues[0]?.message ?? "Enter a valid name");
}

/** For services: the trimmed name, or an "invalid_input" error on the `name` field. */
export function requireDisplayName(name: unknown): string {
  const parsed = displayNameSchema.safeParse(name);
  if (parsed.success) return parsed.data;
  const message = parsed.error.issues[0]?.message ?? "Enter a valid name";
  throw new AppError("invalid_input", `Name: ${message}.`, { name: message });
}
