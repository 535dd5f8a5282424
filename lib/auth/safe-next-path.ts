/**
 * Where to go after signing in. `next` comes from the address bar (`/login?next=…`), so it is
 * attacker-chosen: only a path on this console is accepted, anything else falls back to the profile
 * list. Client-safe on purpose (no server imports): the sign-in page and the action share it.
 *
 * Why each rule exists:
 * - browsers drop tab, CR and LF anywhere in a URL and read "\" as "/", so "/\evil.test" and
 *   "/\t/evil.test" are the protocol-relative "//evil.test": raw control characters, spaces and
 *   backslashes are refused outright;
 * - a percent-encoded backslash, slash or control character in the path ("/%5Cevil", "/%2F/evil",
 *   "/%09/evil") is harmless to a browser, but would turn into one for any layer that decodes once
 *   more, so the decoded path must pass the same checks;
 * - "https:x", "javascript:x" and "//x" never start with exactly one "/", and the URL parser has the
 *   last word: whatever it resolves to must stay on the console's own origin, and the normalised path
 *   must not begin with "//" ("/.//evil.test" normalises to "//evil.test").
 */
export const DEFAULT_NEXT_PATH = "/profiles";

const BASE = "http://base.invalid";
/** printable ASCII without space and backslash */
const SAFE_RAW = /^[\x21-\x5b\x5d-\x7e]+$/;
const UNSAFE_DECODED = /[\x00-\x1f\x7f\\]/;

export function safeNextPath(next: unknown): string {
  if (typeof next !== "string" || next.length > 2048) return DEFAULT_NEXT_PATH;
  if (!SAFE_RAW.test(next) || !next.startsWith("/") || next.startsWith("//")) return DEFAULT_NEXT_PATH;
  let url: URL;
  try {
    url = new URL(next, BASE);
  } catch {
    return DEFAULT_NEXT_PATH;
  }
  if (url.origin !== BASE) return DEFAULT_NEXT_PATH;
  let decodedPath: string;
  try {
    decodedPath = decodeURIComponent(url.pathname);
  } catch {
    return DEFAULT_NEXT_PATH;
  }
  if (url.pathname.startsWith("//") || decodedPath.startsWith("//") || UNSAFE_DECODED.test(decodedPath)) return DEFAULT_NEXT_PATH;
  return `${url.pathname}${url.search}${url.hash}`;
}
