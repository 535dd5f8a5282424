import "server-only";
import { AppError, isAppError, type AppErrorCode, type FieldErrors } from "@/lib/errors";
import { errorResponse, httpStatusOf, jsonError } from "@/lib/http/json-error";
import type { ProfileInput } from "@/lib/profiles/schema";
import { inputFieldPath } from "@/lib/transfer/input-paths";
import { jsonPath, type PathSegment } from "@/lib/transfer/json-path";

/**
 * An expected API failure that carries more than `{ error }`: the import plan beside a 409, say.
 * The extra members sit next to `error` in the body, never inside it, so every error still has the
 * one shape `{ error: { code, message, fields? } }`.
 */
export class ApiProblem extends AppError {
  constructor(
    code: AppErrorCode,
    message: string,
    fields?: FieldErrors,
    readonly extra?: Record<string, unknown>,
  ) {
    super(code, message, fields);
  }
}

export function apiErrorResponse(error: unknown, context: string): Response {
  if (error instanceof ApiProblem && error.extra) {
    return Response.json(
      {
        error: { code: error.code, message: error.userMessage, ...(error.fields ? { fields: error.fields } : {}) },
        ...error.extra,
      },
      { status: httpStatusOf[error.code] },
    );
  }
  return errorResponse(error, context);
}

export function unauthenticatedResponse(message: string): Response {
  const response = jsonError("unauthenticated", message, 401);
  // RFC 6750: tells HTTP clients which scheme to retry with
  response.headers.set("WWW-Authenticate", 'Bearer realm="mcf-console"');
  return response;
}

/** `{ "connection.port": … }` → `{ "$.connection.port": … }`: API field errors are JSON paths. */
export function fieldsAtPaths(fields: FieldErrors | undefined, toPath: (key: string) => string): FieldErrors | undefined {
  if (!fields) return undefined;
  const out: FieldErrors = {};
  for (const [key, message] of Object.entries(fields)) {
    const path = toPath(key);
    out[path] = path in out ? `${out[path]}; ${message}` : message;
  }
  return out;
}

/**
 * Re-throws a profile service's error with its field names (form-input paths such as
 * "authentication.requestProperties.3.value") turned into JSON paths of the document the caller
 * sent ("$.authentication.requestProperties.client_secret").
 */
export function inDocumentTerms(error: unknown, input: ProfileInput): never {
  if (isAppError(error) && error.fields) {
    throw new AppError(
      error.code,
      error.userMessage,
      fieldsAtPaths(error.fields, (key) => inputFieldPath(input, key, "$")),
    );
  }
  throw error;
}

/** Field errors keyed by a plain field name ("passphrase") as JSON paths of the request body. */
export function bodyFieldPaths(fields: FieldErrors | undefined): FieldErrors | undefined {
  return fieldsAtPaths(fields, (key) =>
    key === "_form" ? "$" : jsonPath(key.split(".").map((p): PathSegment => (/^\d+$/.test(p) ? Number(p) : p))),
  );
}
