import "server-only";
import crypto from "node:crypto";
import type { z } from "zod";
import { isAppError, type AppErrorCode, type FieldErrors } from "@/lib/errors";
import { clientIp, getCurrentUser, type CurrentUser } from "@/lib/auth/session";
import { log } from "@/lib/log";
import { fieldErrorsFrom } from "@/lib/profiles/validation-errors";

export type ActionError = { code: AppErrorCode | "internal"; message: string; fields?: FieldErrors; reference?: string };
export type ActionResult<T> = { ok: true; data: T } | { ok: false; error: ActionError };

export interface ActionContext {
  user: CurrentUser;
  ip: string | null;
}

const SIGNED_OUT: ActionResult<never> = {
  ok: false,
  error: { code: "unauthenticated", message: "Your session has ended. Sign in again; nothing was changed." },
};

/**
 * The one wrapper every server action goes through: authenticate the caller first, then validate the
 * input with the resource's schema, run the handler (which authorizes the specific object through
 * lib/auth/access.ts), and turn failures into a result the form can show. Expected failures
 * (AppError) keep their safe message and field errors; anything else is logged with a reference id
 * and the browser sees only that id, never an exception message or stack.
 */
export function defineAction<Schema extends z.ZodType, Output>(
  name: string,
  schema: Schema,
  handler: (input: z.infer<Schema>, context: ActionContext) => Promise<Output>,
): (input: z.input<Schema>) => Promise<ActionResult<Output>> {
  return run(
    name,
    schema,
    async () => {
      const user = await getCurrentUser();
      return user ? { user, ip: await clientIp() } : null;
    },
    handler,
  );
}

/** For the few actions a signed-out visitor may call: sign-in, first-run setup, accepting an invitation. */
export function definePublicAction<Schema extends z.ZodType, Output>(
  name: string,
  schema: Schema,
  handler: (input: z.infer<Schema>, context: { ip: string | null }) => Promise<Output>,
): (input: z.input<Schema>) => Promise<ActionResult<Output>> {
  return run(name, schema, async () => ({ ip: await clientIp() }), handler);
}

function run<Schema extends z.ZodType, Context, Output>(
  name: string,
  schema: Schema,
  authenticate: () => Promise<Context | null>,
  handler: (input: z.infer<Schema>, context: Context) => Promise<Output>,
): (input: z.input<Schema>) => Promise<ActionResult<Output>> {
  return async (raw) => {
    try {
      const context = await authenticate();
      if (!context) return SIGNED_OUT;
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        return {
          ok: false,
          error: {
            code: "invalid_input",
            message: "Some fields need attention: see the messages beside them.",
            fields: fieldErrorsFrom(parsed.error),
          },
        };
      }
      return { ok: true, data: await handler(parsed.data, context) };
    } catch (error) {
      if (isNextControlFlow(error)) throw error;
      if (isAppError(error)) {
        return {
          ok: false,
          error: { code: error.code, message: error.userMessage, ...(error.fields ? { fields: error.fields } : {}) },
        };
      }
      const reference = crypto.randomUUID().slice(0, 8);
      log.error("server action failed", { action: name, reference, error: error instanceof Error ? error.stack : String(error) });
      return {
        ok: false,
        error: {
          code: "internal",
          message: `Something went wrong on the server (reference ${reference}). Nothing was changed.`,
          reference,
        },
      };
    }
  };
}

/** redirect() and notFound() work by throwing; they must reach Next untouched. */
function isNextControlFlow(error: unknown): boolean {
  const digest = (error as { digest?: unknown } | null)?.digest;
  return typeof digest === "string" && (digest.startsWith("NEXT_REDIRECT") || digest.startsWith("NEXT_HTTP_ERROR_FALLBACK"));
}
