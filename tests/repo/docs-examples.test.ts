/**
 * The examples and tables in docs/ are the code's own: the profile examples of docs/PROFILE-FORMAT.md
 * pass the real schema and import reader, and the check vectors, cloud presets, AADSTS codes and
 * JavaMail catalogue of docs/MICROSOFT.md are what the code computes and knows. A change on either
 * side without the other fails here.
 */
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { xoauth2InitialResponse } from "@/lib/mail/sasl";
import { AADSTS_CODES, explainTokenError, microsoftErrorSchema } from "@/lib/oauth/aadsts";
import { x5tFromHexThumbprint } from "@/lib/oauth/client-assertion";
import { CLOUDS } from "@/lib/oauth/clouds";
import { tokenSuccessSchema } from "@/lib/oauth/token-request";
import { profileDocumentSchema } from "@/lib/profiles/document";
import { propertyCatalog } from "@/lib/profiles/javamail";
import { readImportFile } from "@/lib/transfer/read-import-file";

const read = (file: string) => fs.readFileSync(path.resolve(__dirname, "../..", file), "utf8");
const PROFILE_FORMAT = read("docs/PROFILE-FORMAT.md");
const MICROSOFT = read("docs/MICROSOFT.md");

/** The fenced ```json blocks of a document, parsed. */
function jsonBlocks(markdown: string): unknown[] {
  return [...markdown.matchAll(/```json\n([\s\S]*?)```/g)].map((m) => JSON.parse(m[1]!));
}

/** The text of one `## heading` section. */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  expect(start, heading).toBeGreaterThan(-1);
  const end = markdown.indexOf("\n## ", start + 1);
  return markdown.slice(start, end === -1 ? undefined : end);
}

/** Rows of the Markdown tables in a text, as arrays of cells (header and separator rows dropped). */
function tableRows(text: string): string[][] {
  return text
    .split("\n")
    .filter((line) => line.startsWith("|") && !/^\|\s*-/.test(line))
    .map((line) =>
      line
        .slice(1, -1)
        .split("|")
        .map((cell) => cell.trim()),
    );
}

const codeSpans = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

describe("docs/PROFILE-FORMAT.md", () => {
  const documents = jsonBlocks(PROFILE_FORMAT).filter(
    (block): block is Record<string, unknown> => typeof block === "object" && block !== null && "format" in block,
  );

  it("holds the two profile examples", () => {
    expect(documents.map((d) => d.name)).toEqual(["Contoso support inbox", "Contoso archive (POP3)"]);
  });

  it("every profile example passes the document schema and the import reader", () => {
    for (const document of documents) {
      const parsed = profileDocumentSchema.safeParse(document);
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
      const read = readImportFile(JSON.stringify(document));
      expect(read.ok, JSON.stringify(read.ok ? [] : read.errors)).toBe(true);
    }
  });
});

describe("docs/MICROSOFT.md", () => {
  it("the XOAUTH2 check vector is what lib/mail/sasl.ts encodes", () => {
    const text = section(MICROSOFT, "XOAUTH2");
    const vector = /user `([^`]+)` and token\s+`([^`]+)` give\s+`([^`]+)`/.exec(text);
    expect(vector).not.toBeNull();
    const [, user, token, expected] = vector!;
    expect(xoauth2InitialResponse(user!, token!)).toBe(expected);
  });

  it("the thumbprint example is what lib/oauth/client-assertion.ts converts", () => {
    const example = /hex thumbprint\s+`([0-9A-F]+)` is `x5t` = `([\w-]+)`/.exec(section(MICROSOFT, "Thumbprints"));
    expect(example).not.toBeNull();
    expect(x5tFromHexThumbprint(example![1]!)).toBe(example![2]);
  });

  it("the cloud table is lib/oauth/clouds.ts", () => {
    const rows = tableRows(section(MICROSOFT, "Clouds")).slice(1);
    expect(rows.map((cells) => cells.slice(1).map((cell) => codeSpans(cell)[0]))).toEqual(
      CLOUDS.map((cloud) => [cloud.authorityHost, cloud.scope, cloud.mailHost]),
    );
  });

  it("the token response and error examples are accepted as the code reads them", () => {
    const [success] = jsonBlocks(section(MICROSOFT, "Token response"));
    expect(tokenSuccessSchema.safeParse(success).success).toBe(true);
    const [failure] = jsonBlocks(section(MICROSOFT, "Token errors"));
    expect(microsoftErrorSchema.safeParse(failure).success).toBe(true);
    expect(explainTokenError(failure)).toMatchObject({ error: "invalid_scope", aadstsCodes: [70011] });
  });

  it("the AADSTS table lists exactly the codes lib/oauth/aadsts.ts explains", () => {
    const listed = tableRows(section(MICROSOFT, "AADSTS codes"))
      .map((cells) => /^AADSTS(\d+)/.exec(cells[0]!)?.[1])
      .filter(Boolean)
      .map(Number);
    expect([...listed].sort()).toEqual([...AADSTS_CODES].sort());
  });

  it("the JavaMail tables name every property of lib/profiles/javamail.ts as honoured or not", () => {
    const text = section(MICROSOFT, "JavaMail properties");
    const honoured = tableRows(text)
      .slice(1)
      .flatMap((cells) => codeSpans(cells[0]!));
    expect([...honoured].sort()).toEqual(
      propertyCatalog
        .filter((p) => p.honoured)
        .map((p) => p.suffix)
        .sort(),
    );
    const notUsed = text.slice(text.indexOf("Understood but not used"), text.indexOf("Dangerous values"));
    for (const spec of propertyCatalog.filter((p) => !p.honoured)) expect(notUsed, spec.suffix).toContain(`\`${spec.suffix}\``);
  });
});
