/**
 * Form-input field paths ("authentication.requestProperties.3.value") as JSON paths into the
 * imported file ($[2].authentication.requestProperties.client_secret), so errors found by the
 * form's schema point at the spot the admin can fix. Client-safe.
 */
import type { z } from "zod";
import type { ProfileInput } from "@/lib/profiles/schema";
import type { ImportError } from "@/lib/transfer/import-error";
import { jsonPath, type PathSegment } from "@/lib/transfer/json-path";

export function inputFieldPath(input: ProfileInput, field: readonly PropertyKey[] | string, root: string): string {
  const parts: PathSegment[] = (
    typeof field === "string"
      ? field === "_form"
        ? []
        : field.split(".")
      : field.map((p) => (typeof p === "number" ? p : String(p)))
  ).map((p) => (typeof p === "string" && /^\d+$/.test(p) ? Number(p) : p));
  const [section, name, index] = parts;
  if ((name === "additionalProperties" || name === "requestProperties") && typeof index === "number") {
    const rows = name === "additionalProperties" ? input.connection.additionalProperties : input.authentication.requestProperties;
    return jsonPath([section!, name, rows[index]?.key ?? index], root);
  }
  if (section === "authentication" && name === "certificate" && parts[2] === "certificateId")
    return jsonPath(["authentication", "certificate"], root);
  if (section === "authentication" && name === "assertion")
    return jsonPath(["authentication", "assertion", "lifetimeSeconds"], root);
  return jsonPath(parts, root);
}

/** zod issues of the form schema as import errors, one per field. */
export function inputIssues(input: ProfileInput, error: z.ZodError, root: string): ImportError[] {
  const seen = new Set<string>();
  const out: ImportError[] = [];
  for (const issue of error.issues) {
    const path = inputFieldPath(input, issue.path, root);
    if (seen.has(path)) continue;
    seen.add(path);
    out.push({ path, code: "invalid", message: issue.message });
  }
  return out;
}
