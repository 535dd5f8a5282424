import { describe, expect, it } from "vitest";
import { AUDIT_CSV_COLUMNS, auditCsvFileName, auditCsvHeader, auditCsvLine, csvCell, csvLine } from "@/lib/audit/csv";

/** A small RFC 4180 reader, to prove that what we write reads back cell for cell. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      row.push(cell);
      cell = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
      i++;
    } else cell += c;
  }
  return rows;
}

describe("csvCell", () => {
  it("leaves plain text alone and writes null as an empty cell", () => {
    expect(csvCell("Alice Example")).toBe("Alice Example");
    expect(csvCell(42)).toBe("42");
    expect(csvCell(true)).toBe("true");
    expect(csvCell(null)).toBe("");
    expect(csvCell(undefined)).toBe("");
  });

  it("quotes commas, quotes and line breaks, doubling inner quotes", () => {
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("line 1\nline 2")).toBe('"line 1\nline 2"');
    expect(csvCell("line 1\r\nline 2")).toBe('"line 1\r\nline 2"');
  });

  it.each([
    ['=HYPERLINK("http://evil.example","x")', '\'=HYPERLINK("http://evil.example","x")'],
    ["+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"],
    ["-2+3", "'-2+3"],
    ["@SUM(A1:A2)", "'@SUM(A1:A2)"],
    ["\t=1+1", "'\t=1+1"],
  ])("neutralises the formula %j", (input, neutralised) => {
    const cell = csvCell(input);
    expect(parseCsv(`${cell}\r\n`)[0]![0]).toBe(neutralised);
  });

  it("does not touch a formula character that is not the first one", () => {
    expect(csvCell("a=b")).toBe("a=b");
    expect(csvCell("user@example.test")).toBe("user@example.test");
  });
});

describe("audit CSV", () => {
  const event = {
    at: "2026-11-29T03:38:04.123Z",
    actorLabel: 'Eve "=cmd" <eve@example.test>',
    actorId: "u1",
    action: "profile.updated",
    actionLabel: "Changed a profile",
    objectType: "profile",
    objectId: "p1",
    objectLabel: '=IMPORTXML("http://x")',
    detail: JSON.stringify({ revision: 2, changes: ["Port: 993 → 995", "Host, with comma"] }),
    ip: "203.0.113.5",
  };

  it("writes a header row and one CRLF-terminated line per event that reads back intact", () => {
    const text =
      auditCsvHeader() +
      auditCsvLine(event) +
      auditCsvLine({ ...event, actorLabel: "=1+1", objectLabel: null, detail: null, ip: null });
    expect(text.endsWith("\r\n")).toBe(true);
    const rows = parseCsv(text);
    expect(rows).toHaveLength(3);
    expect(rows[0]).toEqual([...AUDIT_CSV_COLUMNS]);
    expect(rows[1]).toEqual([
      event.at,
      'Eve "=cmd" <eve@example.test>',
      "u1",
      "Changed a profile",
      "profile.updated",
      "profile",
      "p1",
      '\'=IMPORTXML("http://x")',
      event.detail,
      "203.0.113.5",
    ]);
    expect(rows[2]![1]).toBe("'=1+1");
    expect(rows[2]!.slice(7)).toEqual(["", "", ""]);
  });

  it("keeps every row the same width however awkward the cells", () => {
    const line = csvLine(["a\nb", 'c"d', "e,f", "", "=g"]);
    expect(parseCsv(line)[0]).toEqual(["a\nb", 'c"d', "e,f", "", "'=g"]);
  });

  it("names the file after the UTC day", () => {
    expect(auditCsvFileName(new Date("2026-11-29T23:59:59Z"))).toBe("audit-2026-11-29");
  });
});
