import "server-only";
import crypto from "node:crypto";
import { isAppError, type AppErrorCode, type FieldErrors } from "@/lib/errors";
import { log } from "@/lib/log";

export const httpStatusOf: Record<AppErrorCode, number> = {
  invalid_input: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  version_conflict: 409,
  too_large: 413,
  rate_limited: 429,
};

export function jsonError(code: AppErrorCode | "internal", message: string, status: number, fields?: FieldErrors) {
  return Response.json({ error: { code, message, ...(fields ? { fields } : {}) } }, { status });
}

/** Route handlers' counterpart of the action wrapper: safe messages, never a stack trace. */
export function errorResponse(error: unknown, context: string): Response {
  if (isAppError(error)) return jsonError(error.code, error.userMessage, httpStatusOf[error.code], error.fields);
  const reference = crypto.randomUUID().slice(0, 8);
  log.error("route failed", { route: context, reference, error: error instanceof Error ? error.stack : String(error) });
  return jsonError("internal", `Something went wrong on the server (reference ${reference}).`, 500);
}
