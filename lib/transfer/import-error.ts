/**
 * What import reports: every problem with the JSON path it concerns (`$[2].connection.port`), or a
 * line number for pasted key=value text (`line 4`). Client-safe: the browser pre-validates with the
 * same code and limits as the server.
 */
export type ImportErrorCode =
  | "too_large"
  | "too_deep"
  | "forbidden_key"
  | "not_json"
  | "empty"
  | "too_many"
  | "wrong_format"
  | "wrong_version"
  | "invalid"
  | "unknown_line"
  | "passphrase_required"
  | "wrong_passphrase"
  | "damaged_secret"
  | "certificate"
  | "name_clash"
  | "decision"
  | "version_conflict";

export interface ImportError {
  /** `$`-rooted JSON path (`$[2].authentication.requestProperties.client_secret`), or `line N` for pasted properties */
  path: string;
  message: string;
  code: ImportErrorCode;
}

export const IMPORT_LIMITS = {
  /** bytes of UTF-8 text */
  maxBytes: 5 * 1024 * 1024,
  /** nested objects/arrays, the outermost counting as 1; a real file needs 5 */
  maxDepth: 32,
  maxDocuments: 1000,
  /** errors listed before "… and N more": a garbage file must not produce a megabyte of messages */
  maxErrors: 200,
} as const;

/** Keys that reach Object.prototype when a naive consumer merges the parsed file into an object. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** Caps a list of errors, saying how many were left out. */
export function capErrors(errors: ImportError[]): ImportError[] {
  if (errors.length <= IMPORT_LIMITS.maxErrors) return errors;
  const kept = errors.slice(0, IMPORT_LIMITS.maxErrors);
  kept.push({
    path: "$",
    code: errors[IMPORT_LIMITS.maxErrors]!.code,
    message: `… and ${errors.length - IMPORT_LIMITS.maxErrors} more problems`,
  });
  return kept;
}
