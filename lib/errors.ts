/**
 * Expected failures carry a code and a message that is safe to show; everything else is logged on
 * the server and shown as a generic message with a reference id (see lib/actions/define-action.ts).
 */
export type FieldErrors = Record<string, string>;

export type AppErrorCode =
  | "invalid_input"
  | "not_found"
  | "conflict"
  | "version_conflict"
  | "forbidden"
  | "unauthenticated"
  | "too_large"
  | "rate_limited";

export class AppError extends Error {
  constructor(
    public readonly code: AppErrorCode,
    public readonly userMessage: string,
    public readonly fields?: FieldErrors,
  ) {
    super(userMessage);
    this.name = "AppError";
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
