import { expect, it } from "vitest";
import { mergeRows, parsePropertiesText } from "@/lib/profiles/properties-text";

it("parses key=value, key = value and key: value lines, skipping comments", () => {
  const text =
    "# JavaMail\nmail.imap.ssl.enable=true\r\n  mail.imap.timeout = 15000\n! old\nmail.debug: false\nnot a property\n\nmail.imap.ssl.trust=\n";
  expect(parsePropertiesText(text)).toEqual({
    rows: [
      { key: "mail.imap.ssl.enable", value: "true" },
      { key: "mail.imap.timeout", value: "15000" },
      { key: "mail.debug", value: "false" },
      { key: "mail.imap.ssl.trust", value: "" },
    ],
    invalidLines: [6],
  });
});

it("merges pasted rows: existing keys get the new value, blank rows go", () => {
  const merged = mergeRows(
    [
      { key: "a", value: "1" },
      { key: "", value: "" },
    ],
    [
      { key: "a", value: "2" },
      { key: "b", value: "3" },
    ],
  );
  expect(merged).toEqual([
    { key: "a", value: "2" },
    { key: "b", value: "3" },
  ]);
});
