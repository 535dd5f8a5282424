/**
 * First stage of import: everything that needs no passphrase and no database. It refuses hostile
 * files, checks every document strictly against the mcf-profile schema and reports EVERY problem
 * with its JSON path. Client-safe, so the import dialog can pre-validate in the browser with exactly
 * the server's rules; the server runs it again (lib/transfer/parse-import.ts) before decrypting.
 *
 * Hostile input is refused, never repaired: over 5 MB, nesting deeper than 32, keys that reach
 * Object.prototype (__proto__, constructor, prototype) and duplicate keys are all found by a scan
 * of the raw text BEFORE JSON.parse builds any object.
 */
import type { z } from "zod";
import {
  documentSecrets,
  profileDocumentSchema,
  PROFILE_FORMAT,
  PROFILE_FORMAT_VERSION,
  type ProfileDocument,
} from "@/lib/profiles/document";
import { nameSchema } from "@/lib/profiles/schema";
import type { SecretField } from "@/lib/profiles/secret-fields";
import { looksLikeFlatProperties, parseFlatProperties } from "@/lib/transfer/flat-properties";
import { capErrors, FORBIDDEN_KEYS, IMPORT_LIMITS, type ImportError } from "@/lib/transfer/import-error";
import { jsonPath, type PathSegment } from "@/lib/transfer/json-path";

export interface CheckedDocument {
  /** position in the file (0 for a single document or pasted properties) */
  index: number;
  /** `$` for a single document, `$[i]` inside an array */
  path: string;
  /** valid against the schema; secrets still as found: text, null or {"encrypted": …} */
  document: ProfileDocument;
  /** secrets given as {"encrypted": …}: they need the export's passphrase */
  encryptedSecrets: SecretField[];
  /** what was inferred while reading pasted key=value text */
  notes: string[];
}

export type ReadImportResult =
  | { ok: true; source: "json" | "properties"; documents: CheckedDocument[]; needsPassphrase: boolean }
  | { ok: false; errors: ImportError[] };

export interface ReadImportOptions {
  /** name for pasted key=value text that has no Name= line */
  name?: string;
}

/** Where each secret sits in a document. */
export const SECRET_PATHS: Record<SecretField, readonly PathSegment[]> = {
  password: ["authentication", "password"],
  client_secret: ["authentication", "requestProperties", "client_secret"],
  client_assertion: ["authentication", "requestProperties", "client_assertion"],
  private_key: ["authentication", "certificate", "privateKeyPem"],
  private_key_passphrase: ["authentication", "certificate", "privateKeyPassphrase"],
};

/** UTF-8 size without allocating the encoded copy; stops counting once over the limit. */
export function utf8Length(text: string, stopAfter = Infinity): number {
  let bytes = 0;
  for (let i = 0; i < text.length && bytes <= stopAfter; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function lineColumn(text: string, offset: number): string {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return `line ${line}, column ${offset - lineStart + 1}`;
}

export interface JsonTextScan {
  /** offset of the first bracket that nests deeper than the limit; the scan stops there */
  tooDeepAt?: number;
  forbiddenKeys: PathSegment[][];
  duplicateKeys: PathSegment[][];
}

interface Frame {
  kind: "object" | "array";
  path: PathSegment[];
  keys: Set<string>;
  /** object: the key whose value comes next; array: index of the current element */
  key?: string;
  index: number;
}

/**
 * One pass over the raw text, tracking only brackets, strings and the keys of open objects. It
 * assumes nothing about validity (JSON.parse decides that afterwards); on valid JSON its key paths
 * are exact, because every key token is decoded with JSON.parse itself ("\u005f_proto__" is caught).
 */
export function scanJsonText(text: string, maxDepth: number = IMPORT_LIMITS.maxDepth): JsonTextScan {
  const result: JsonTextScan = { forbiddenKeys: [], duplicateKeys: [] };
  const stack: Frame[] = [];
  let pendingString: string | undefined;
  const childPath = (): PathSegment[] => {
    const top = stack[stack.length - 1];
    if (!top) return [];
    return [...top.path, top.kind === "array" ? top.index : (top.key ?? "")];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      const start = i;
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (d === 0x5c /* \ */) i++;
        else if (d === 0x22) break;
      }
      pendingString = text.slice(start, i + 1);
      continue;
    }
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
    const top = stack[stack.length - 1];
    if (c === 0x3a /* : */ && pendingString !== undefined && top?.kind === "object") {
      let key: string;
      try {
        key = JSON.parse(pendingString) as string;
      } catch {
        key = pendingString;
      }
      const path = [...top.path, key];
      if (FORBIDDEN_KEYS.has(key)) result.forbiddenKeys.push(path);
      if (top.keys.has(key)) result.duplicateKeys.push(path);
      top.keys.add(key);
      top.key = key;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (stack.length + 1 > maxDepth) {
        result.tooDeepAt = i;
        return result;
      }
      stack.push({ kind: c === 0x7b ? "object" : "array", path: childPath(), keys: new Set(), index: 0 });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    } else if (c === 0x2c /* , */ && top?.kind === "array") {
      top.index++;
    }
    pendingString = undefined;
  }
  return result;
}

function notJsonMessage(text: string, error: unknown): string {
  const detail = error instanceof Error ? error.message : "";
  // V8's message can quote the text around the error, which may be a secret: keep only the position.
  if (/end of JSON input|Unterminated string/i.test(detail))
    return "Not valid JSON: the text ends too early (is the file truncated?)";
  const position = /at position (\d+)/.exec(detail);
  if (position) return `Not valid JSON at ${lineColumn(text, Number(position[1]))}`;
  return "Not valid JSON";
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const SECRET_PATH_KEYS = new Set(Object.values(SECRET_PATHS).map((p) => p.join(".")));

function describeIssue(
  issue: z.core.$ZodIssue,
  root: string,
  value: Record<string, unknown>,
  prefix: PathSegment[] = [],
): ImportError[] {
  const path = [...prefix, ...(issue.path as PathSegment[])];
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => ({
      path: jsonPath([...path, key], root),
      code: "invalid" as const,
      message: `Unknown field "${key}": mcf-profile version 1 has no such field here`,
    }));
  }
  if (issue.code === "invalid_union") {
    const key = path.join(".");
    // every request property accepts the secret forms, since the schema cannot know the key's role
    if (SECRET_PATH_KEYS.has(key) || (path[1] === "requestProperties" && path.length === 3)) {
      return [
        {
          path: jsonPath(path, root),
          code: "invalid",
          message: 'Expected text, null ("supply on import") or {"encrypted": "v1:…"}',
        },
      ];
    }
    if (key === "authentication.certificate") {
      // report against the form the admin evidently meant: a reference, or inline key material
      const certificate = (value.authentication as Record<string, unknown> | undefined)?.certificate;
      const meantRef = isPlainObject(certificate) && "ref" in certificate;
      const branch = issue.errors[meantRef ? 0 : 1];
      if (isPlainObject(certificate) && branch) return branch.flatMap((sub) => describeIssue(sub, root, value, path));
      return [
        {
          path: jsonPath(path, root),
          code: "invalid",
          message: 'Expected {"ref": "<stored certificate>"} or {"certificatePem": "…", "privateKeyPem": …}',
        },
      ];
    }
  }
  return [{ path: jsonPath(path, root), code: "invalid", message: issue.message }];
}

/** Format, version, schema and profile rules for one document, every problem reported. */
export function checkDocument(
  value: unknown,
  index: number,
  root: string,
): { document?: CheckedDocument; errors: ImportError[] } {
  if (!isPlainObject(value)) {
    return { errors: [{ path: root, code: "invalid", message: "Expected an mcf-profile document (a JSON object)" }] };
  }
  if (value.format !== PROFILE_FORMAT) {
    const message =
      value.format === undefined
        ? `Not an mcf-profile document: "format": "${PROFILE_FORMAT}" is missing`
        : `Not an mcf-profile document: "format" must be "${PROFILE_FORMAT}", not ${JSON.stringify(value.format).slice(0, 60)}`;
    return { errors: [{ path: jsonPath(["format"], root), code: "wrong_format", message }] };
  }
  if (value.version !== PROFILE_FORMAT_VERSION) {
    const newer = typeof value.version === "number" && value.version > PROFILE_FORMAT_VERSION;
    const message = newer
      ? `This document is mcf-profile version ${value.version}, written by a newer console; this console reads version ${PROFILE_FORMAT_VERSION}`
      : `"version" must be ${PROFILE_FORMAT_VERSION}: this console reads mcf-profile version ${PROFILE_FORMAT_VERSION}`;
    return { errors: [{ path: jsonPath(["version"], root), code: "wrong_version", message }] };
  }
  const errors: ImportError[] = [];
  if (typeof value.name === "string") {
    const name = nameSchema.safeParse(value.name);
    if (!name.success) errors.push({ path: jsonPath(["name"], root), code: "invalid", message: name.error.issues[0]!.message });
  }
  const parsed = profileDocumentSchema.safeParse(value);
  if (!parsed.success) errors.push(...parsed.error.issues.flatMap((issue) => describeIssue(issue, root, value)));
  if (!parsed.success || errors.length > 0) return { errors };
  const secrets = documentSecrets(parsed.data);
  const encryptedSecrets = (Object.keys(secrets) as SecretField[]).filter((field) => {
    const secret = secrets[field];
    return typeof secret === "object" && secret !== null;
  });
  return { document: { index, path: root, document: parsed.data, encryptedSecrets, notes: [] }, errors: [] };
}

/** `"text"`, `42`, `null`…: JSON, but not a document (flat text never parses as JSON). */
function isJsonScalar(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

export function readImportFile(text: string, options: ReadImportOptions = {}): ReadImportResult {
  if (typeof text !== "string")
    return { ok: false, errors: [{ path: "$", code: "not_json", message: "Expected the file's text" }] };
  const megabytes = IMPORT_LIMITS.maxBytes / (1024 * 1024);
  if (text.length > IMPORT_LIMITS.maxBytes || utf8Length(text, IMPORT_LIMITS.maxBytes) > IMPORT_LIMITS.maxBytes) {
    return {
      ok: false,
      errors: [
        { path: "$", code: "too_large", message: `The file is larger than ${megabytes} MB: export fewer profiles per file` },
      ],
    };
  }
  const body = text.replace(/^\uFEFF/, "");
  if (!body.trim()) return { ok: false, errors: [{ path: "$", code: "empty", message: "The file is empty" }] };

  if (looksLikeFlatProperties(body) && !isJsonScalar(body)) {
    const flat = parseFlatProperties(body, { name: options.name });
    if (!flat.ok) return flat;
    return {
      ok: true,
      source: "properties",
      needsPassphrase: false,
      documents: [{ index: 0, path: "$", document: flat.document, encryptedSecrets: [], notes: flat.notes }],
    };
  }

  const scan = scanJsonText(body);
  if (scan.tooDeepAt !== undefined) {
    return {
      ok: false,
      errors: [
        {
          path: "$",
          code: "too_deep",
          message: `Nested more than ${IMPORT_LIMITS.maxDepth} levels deep (at ${lineColumn(body, scan.tooDeepAt)}): not an export of this console`,
        },
      ],
    };
  }
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch (error) {
    return { ok: false, errors: [{ path: "$", code: "not_json", message: notJsonMessage(body, error) }] };
  }
  if (scan.forbiddenKeys.length > 0 || scan.duplicateKeys.length > 0) {
    return {
      ok: false,
      errors: capErrors([
        ...scan.forbiddenKeys.map((path) => ({
          path: jsonPath(path),
          code: "forbidden_key" as const,
          message: `The key "${String(path[path.length - 1])}" is not allowed anywhere in an import file`,
        })),
        ...scan.duplicateKeys.map((path) => ({
          path: jsonPath(path),
          code: "invalid" as const,
          message: `"${String(path[path.length - 1])}" appears twice in the same object: keep one`,
        })),
      ]),
    };
  }

  const entries: { value: unknown; root: string }[] = [];
  if (Array.isArray(value)) {
    if (value.length === 0)
      return {
        ok: false,
        errors: [{ path: "$", code: "empty", message: "The file holds an empty list: there is nothing to import" }],
      };
    if (value.length > IMPORT_LIMITS.maxDocuments) {
      return {
        ok: false,
        errors: [
          {
            path: "$",
            code: "too_many",
            message: `The file holds ${value.length.toLocaleString("en-US")} documents; import at most ${IMPORT_LIMITS.maxDocuments.toLocaleString("en-US")} at a time`,
          },
        ],
      };
    }
    value.forEach((entry, index) => entries.push({ value: entry, root: jsonPath([index]) }));
  } else if (isPlainObject(value)) {
    entries.push({ value, root: "$" });
  } else {
    return {
      ok: false,
      errors: [
        { path: "$", code: "wrong_format", message: "Expected one mcf-profile document (a JSON object) or a list of them" },
      ],
    };
  }

  const documents: CheckedDocument[] = [];
  const errors: ImportError[] = [];
  entries.forEach((entry, index) => {
    const checked = checkDocument(entry.value, index, entry.root);
    if (checked.document) documents.push(checked.document);
    errors.push(...checked.errors);
  });
  if (errors.length > 0) return { ok: false, errors: capErrors(errors) };
  return { ok: true, source: "json", documents, needsPassphrase: documents.some((d) => d.encryptedSecrets.length > 0) };
}
