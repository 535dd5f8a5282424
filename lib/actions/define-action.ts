import "server-only";
import crypto from "node:crypto";
import type { z } from "zod";
import { isAppError, type AppErrorCode, type FieldErrors } from "@/lib/errors";
import { log } from "@/lib/log";
import { fieldErrorsFrom } from "@/lib/profiles/validation-errors";

export type ActionError = { code: AppErrorCode | "internal"; message: string; fields?: FieldErrors; reference?: string };
export type ActionResult<T> = { ok: true; data: T } | { ok: false; error: ActionError };

/**
 * The one wrapper every server action goes through: validate the input with the resource's schema,
 * run the handler, and turn failures into a result the form can show. Expected failures (AppError)
 * keep their safe message and field errors; anything else is logged with a reference id and the
 * browser sees only that id, never an exception message or stack.
 */
export function defineAction<Schema extends z.ZodType, Output>(
  name: string,
  schema: Schema,
  handler: (input: z.infer<Schema>) => Promise<Output>,
): (input: z.input<Schema>) => Promise<ActionResult<Output>> {
  return async (raw) => {
    try {
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        return {
          ok: false,
          error: { code: "invalid_input", message: "Some fields need attention: see the messages beside them.", fields: fieldErrorsFrom(parsed.error) },
        };
      }
      return { ok: true, data: await handler(parsed.data) };
    } catch (error) {
      if (isAppError(error)) {
        return { ok: false, error: { code: error.code, message: error.userMessage, ...(error.fields ? { fields: error.fields } : {}) } };
      }
      const reference = crypto.randomUUID().slice(0, 8);
      log.error("server action failed", { action: name, reference, error: error instanceof Error ? error.stack : String(error) });
      return { ok: false, error: { code: "internal", message: `Something went wrong on the server (reference ${reference}). Nothing was changed.`, reference } };
    }
  };
}
