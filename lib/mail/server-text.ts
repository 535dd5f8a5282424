/**
 * Text a server sent, made safe to show: a Test may be pointed at any port, and whatever answers
 * there (an SSH daemon, a web server, a database) ends up in a result that a browser renders and an
 * admin reads. Terminal escapes are removed, other control and invisible characters (C0, DEL, C1,
 * bidi overrides, zero-width and unassigned code points) become visible escapes, and lengths are
 * bounded. Pure functions, no server-only imports: used by both mail clients and the Test.
 */

/** CSI (ESC [ … final), OSC (ESC ] … BEL or ST), two-character ESC sequences, and the 8-bit CSI. */
const ANSI_ESCAPE = /\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|[@-Z\\-_])|\x9b[0-?]*[ -/]*[@-~]/g;
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;
/** format characters (bidi overrides, zero-width), private use, lone surrogates, unassigned, line/paragraph separators */
const INVISIBLE = /[\p{Cf}\p{Co}\p{Cs}\p{Cn}\u2028\u2029]/gu;

const hex = (code: number, width: number) => code.toString(16).padStart(width, "0");

/** One line of server text with every escape sequence removed and every non-printable character written as \xNN or \u{…}. */
export function printable(text: string): string {
  return text
    .replace(ANSI_ESCAPE, "")
    .replace(CONTROL, (c) => `\\x${hex(c.charCodeAt(0), 2)}`)
    .replace(INVISIBLE, (c) => `\\u{${hex(c.codePointAt(0)!, 4)}}`);
}

/** At most `max` characters, then "…" (never splitting a surrogate pair). */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${text.slice(0, end)}…`;
}

/** The longest stretch of a server's own words a Test result quotes (greetings, refusals). */
export const MAX_QUOTED = 200;

/** The first line of a server's answer, printable and at most MAX_QUOTED characters: what a Test result quotes. */
export function quotedLine(text: string): string {
  const first = text.split(/\r\n|\n|\r/, 1)[0] ?? "";
  return truncate(printable(first), MAX_QUOTED);
}
