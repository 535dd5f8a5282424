/**
 * JSON paths for error messages, in the common `$.a.b[2]["key.with.dots"]` notation, so an admin
 * can find the spot in the file and a script can match on it. Client-safe.
 */
export type PathSegment = string | number;

const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

export function jsonPath(segments: readonly PropertyKey[], root = "$"): string {
  let out = root;
  for (const segment of segments) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (typeof segment === "string" && IDENTIFIER.test(segment)) out += `.${segment}`;
    // JSON.stringify quotes and escapes, so a key with quotes or brackets cannot forge a path
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}
