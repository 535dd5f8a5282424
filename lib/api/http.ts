import "server-only";
import type { z } from "zod";
import { clientAddress } from "@/lib/auth/client-address";
import { AppError, type FieldErrors } from "@/lib/errors";
import { IMPORT_LIMITS } from "@/lib/transfer/import-error";
import { jsonPath, type PathSegment } from "@/lib/transfer/json-path";
import { scanJsonText } from "@/lib/transfer/read-import-file";

/** Request-side helpers of the REST API: bounded JSON bodies, query parameters, the version precondition. */

/** A profile document is a few kilobytes; 1 MB leaves room for PEM bundles and pasted assertions. */
export const MAX_DOCUMENT_BODY_BYTES = 1024 * 1024;
/** An import body carries the file (at most 5 MB of UTF-8) as a JSON string, escaping included. */
export const MAX_IMPORT_BODY_BYTES = 12 * 1024 * 1024;

const tooLarge = (maxBytes: number) =>
  new AppError("too_large", `The request body is larger than ${Math.round(maxBytes / 1024)} KB.`);

/** The body as text, refused as soon as it grows past maxBytes (it is never buffered whole first). */
async function readBoundedText(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) return "";
  const reader = request.body.getReader();
  const decoder = new TextDecoder("utf-8", { fatal: true });
  let received = 0;
  let text = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      received += value.byteLength;
      if (received > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge(maxBytes);
      }
      text += decoder.decode(value, { stream: true });
    }
    return text + decoder.decode();
  } catch (error) {
    if (error instanceof TypeError) throw new AppError("invalid_input", "The request body is not valid UTF-8 text.");
    throw error;
  }
}

/**
 * The JSON body, or undefined when there is none. Structures that have no business in a request are
 * refused before JSON.parse builds anything: nesting deeper than an export file may be, keys that
 * reach Object.prototype, and duplicate keys (which JSON.parse would silently resolve to the last).
 */
export async function readJsonBody(request: Request, maxBytes: number = MAX_DOCUMENT_BODY_BYTES): Promise<unknown> {
  const text = (await readBoundedText(request, maxBytes)).replace(/^\uFEFF/, "");
  if (!text.trim()) return undefined;
  const type = request.headers.get("content-type");
  if (type && !/^application\/([\w.+-]+\+)?json\b/i.test(type.trim())) {
    throw new AppError(
      "invalid_input",
      `Send the body as JSON with Content-Type: application/json (not ${type.split(";")[0]!.trim().slice(0, 60)}).`,
    );
  }
  const scan = scanJsonText(text, IMPORT_LIMITS.maxDepth);
  if (scan.tooDeepAt !== undefined)
    throw new AppError("invalid_input", `The JSON is nested more than ${IMPORT_LIMITS.maxDepth} levels deep.`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // V8's parse message can quote the text around the error, which may be a secret
    throw new AppError("invalid_input", "The request body is not valid JSON.");
  }
  const fields: FieldErrors = {};
  for (const path of scan.forbiddenKeys) fields[jsonPath(path)] = `The key "${String(path.at(-1))}" is not allowed`;
  for (const path of scan.duplicateKeys) fields[jsonPath(path)] ??= `"${String(path.at(-1))}" appears twice in the same object`;
  if (Object.keys(fields).length > 0)
    throw new AppError("invalid_input", "The request body has keys that are not allowed.", fields);
  return value;
}

/** zod issues of a request body as `{ "$.path": message }`. */
export function bodyIssues(error: z.ZodError): FieldErrors {
  const out: FieldErrors = {};
  for (const issue of error.issues) {
    const path = issue.path as PathSegment[];
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) out[jsonPath([...path, key])] ??= `Unknown field "${key}"`;
      continue;
    }
    out[jsonPath(path)] ??= issue.message;
  }
  return out;
}

export function parseBody<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (!parsed.success)
    throw new AppError("invalid_input", "The request body needs attention: see `fields`.", bodyIssues(parsed.error));
  return parsed.data;
}

/** Query parameters: errors keyed by the parameter's name. */
export function parseQuery<S extends z.ZodType>(schema: S, url: URL): z.infer<S> {
  const parsed = schema.safeParse(Object.fromEntries(url.searchParams));
  if (!parsed.success) {
    const fields: FieldErrors = {};
    for (const issue of parsed.error.issues) {
      if (issue.code === "unrecognized_keys") for (const key of issue.keys) fields[key] ??= `Unknown query parameter "${key}"`;
      else fields[issue.path.map(String).join(".") || "query"] ??= issue.message;
    }
    throw new AppError("invalid_input", "Some query parameters need attention: see `fields`.", fields);
  }
  return parsed.data;
}

const VERSION_TEXT = /^[1-9]\d{0,9}$/;

/**
 * The version a write is based on: `If-Match: "3"` (the ETag of GET /profiles/{id}; W/ and bare
 * numbers accepted too) or `?version=3`. Required: a write without it could silently undo someone
 * else's save (409 version_conflict tells the caller to read again).
 */
export function expectedVersion(request: Request, url: URL): number {
  const header = request.headers.get("if-match");
  const query = url.searchParams.get("version");
  let fromHeader: number | undefined;
  if (header !== null) {
    const text = header
      .trim()
      .replace(/^W\//, "")
      .replace(/^"(.*)"$/, "$1");
    if (!VERSION_TEXT.test(text)) {
      throw new AppError("invalid_input", 'If-Match must hold the profile\'s version as its ETag, e.g. If-Match: "3".', {
        "If-Match": 'Expected one version, e.g. "3"',
      });
    }
    fromHeader = Number(text);
  }
  let fromQuery: number | undefined;
  if (query !== null) {
    if (!VERSION_TEXT.test(query))
      throw new AppError("invalid_input", "The version query parameter must be a whole number.", {
        version: "Expected a whole number",
      });
    fromQuery = Number(query);
  }
  if (fromHeader !== undefined && fromQuery !== undefined && fromHeader !== fromQuery) {
    throw new AppError("invalid_input", "If-Match and ?version name different versions.", { version: "Differs from If-Match" });
  }
  const version = fromHeader ?? fromQuery;
  if (version === undefined) {
    throw new AppError(
      "invalid_input",
      "Send the version you read (GET returns it as `version` and as the ETag) in If-Match or ?version.",
      { "If-Match": "Required" },
    );
  }
  return version;
}

export function positiveIntegerParam(value: string | undefined, name: string): number {
  if (value === undefined || !VERSION_TEXT.test(value))
    throw new AppError("invalid_input", `${name} must be a whole number from 1.`, { [name]: "Expected a whole number from 1" });
  return Number(value);
}

export function requestIp(request: Request): string | null {
  return clientAddress(request.headers);
}

export const etagOf = (version: number) => `"${version}"`;
