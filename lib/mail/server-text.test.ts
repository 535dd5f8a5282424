import { describe, expect, it } from "vitest";
import { MAX_QUOTED, printable, quotedLine, truncate } from "@/lib/mail/server-text";

describe("server text", () => {
  it("drops terminal escape sequences and escapes every other non-printable character", () => {
    const cases: [string, string][] = [
      ["* OK ready", "* OK ready"],
      ["\x1b[31mred\x1b[0m", "red"], // CSI (colour)
      ["\x1b[2J\x1b[Hcleared", "cleared"], // CSI (clear screen, cursor home)
      ["\x1b]0;window title\x07after", "after"], // OSC ended by BEL
      ["\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\", "link"], // OSC 8 hyperlink ended by ST
      ["\x9b31mC1 CSI", "C1 CSI"],
      ["a\x1b", "a\\x1b"], // a lone ESC is escaped, not dropped
      ["nul\x00bell\x07del\x7fc1\x85", "nul\\x00bell\\x07del\\x7fc1\\x85"],
      ["cr\rlf\n", "cr\\x0dlf\\x0a"],
      ["tab\tkept", "tab\tkept"],
      ["\u202eevil\u200b\ufeff", "\\u{202e}evil\\u{200b}\\u{feff}"],
      ["\ud800lone", "\\u{d800}lone"],
      ["caf\u00e9 \u2192 \ufffd", "caf\u00e9 \u2192 \ufffd"],
    ];
    expect(cases.map(([input]) => printable(input))).toEqual(cases.map(([, shown]) => shown));
  });

  it("is idempotent, so text escaped by a mail client can be escaped again", () => {
    const once = printable("\x16\x03\x01\x1b[2J\u202e");
    expect(printable(once)).toBe(once);
  });

  it("truncates with an ellipsis and never splits a surrogate pair", () => {
    expect(truncate("abcdef", 6)).toBe("abcdef");
    expect(truncate("abcdef", 3)).toBe("abc…");
    expect(truncate("ab\u{1f600}cd", 3)).toBe("ab…");
  });

  it("quotes only the first line, at most MAX_QUOTED characters", () => {
    expect(quotedLine("SSH-2.0-OpenSSH_9.6\r\nsecond line\r\n")).toBe("SSH-2.0-OpenSSH_9.6");
    expect(quotedLine("first\nsecond")).toBe("first");
    const long = quotedLine(`+OK ${"x".repeat(1000)}`);
    expect(long).toHaveLength(MAX_QUOTED + 1);
    expect(long.endsWith("…")).toBe(true);
  });
});
