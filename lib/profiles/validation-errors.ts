import type { z } from "zod";
import type { FieldErrors } from "@/lib/errors";

/** zod issues → { "connection.port": "message" }; the first message per field wins. */
export function fieldErrorsFrom(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join(".") || "_form";
    if (!(key in out)) out[key] = issue.message;
  }
  return out;
}
