/**
 * Comments and docs point only at what is in this repository. A maintainer who reads "reference §5",
 * "issue 4" or "CONVENTIONS 13" has nothing to open: what matters goes into the comment itself or into
 * docs/. So no source or Markdown file may cite documents kept elsewhere, every Markdown path it
 * names (docs/MICROSOFT.md#client-assertion) must be a file of the repository and every anchor a
 * heading of that file, and every code path a document in docs/ names must exist.
 */
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../..");
const SELF = path.relative(ROOT, __filename).split(path.sep).join("/");
const TEXT = /\.(ts|tsx|mts|cts|js|mjs|cjs|md|css|prisma|sh|ya?ml)$/;

/** Tracked files and new ones git does not ignore, as they are in the working tree. */
function repositoryFiles(): string[] {
  const out = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], {
    cwd: ROOT,
    encoding: "utf8",
  });
  return [...new Set(out.split("\0").filter(Boolean))].filter((file) => fs.existsSync(path.join(ROOT, file)));
}

/** Citations of documents that are not in this repository. */
const OUTSIDE: [RegExp, string][] = [
  [/\breference\s*§/i, "a section of an outside reference"],
  [/\breference\//i, "a file of an outside reference folder"],
  [/microsoft-mail-oauth/i, "the outside Microsoft fact sheet (use docs/MICROSOFT.md)"],
  [/\.\.\/shared\b/, "a shared folder outside the repository"],
  [/\bCONVENTIONS\b/, "the outside conventions document"],
  [/\bImplications\s+\d/i, "a numbered item of an outside document"],
  [/\bissue\s+#?\d+/i, "an issue of an outside tracker"],
  [/\bstack-notes\b/i, "the outside stack notes"],
];
/** `§` belongs to a named standard ("RFC 6749 §2.3.1", "X.690 §11.6"); a bare one cites a document elsewhere. */
const STANDARD_BEFORE_SECTION = /(?:RFC\s?\d{3,5}|X\.\d{3,4})[\s,]*$/;
/** A Markdown document named by path; skipped inside URLs and in code such as `forge.md[name]`. */
const MARKDOWN_PATH = /(?<![\w/.:-])((?:\.{1,2}\/)?(?:[\w-]+\/)*[\w-]+\.md)(?:#([\w-]+))?(?![\w([])/g;
/** Code paths a document in docs/ names, e.g. `lib/oauth/claims.ts` or `tests/servers/`. */
const CODE_PATH = /(?<![\w/.-])((?:app|components|e2e|lib|prisma|public|scripts|tests)\/[\w./[\]()-]*[\w/\])])/g;

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as dashes. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");
}

function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of markdown.split("\n")) {
    if (/^\s*```/.test(line)) fenced = !fenced;
    const heading = !fenced && /^#{1,6}\s+(.*)$/.exec(line);
    if (!heading) continue;
    const base = slug(heading[1]!);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

interface Finding {
  at: string;
  problem: string;
}

function findOutsideReferences(files: Map<string, string>): Finding[] {
  const findings: Finding[] = [];
  const anchors = new Map<string, Set<string>>();
  const anchorsFor = (file: string) => {
    if (!anchors.has(file)) anchors.set(file, anchorsOf(files.get(file) ?? ""));
    return anchors.get(file)!;
  };
  for (const [file, text] of files) {
    text.split("\n").forEach((line, index) => {
      const at = `${file}:${index + 1}`;
      for (const [pattern, what] of OUTSIDE)
        if (pattern.test(line)) findings.push({ at, problem: `cites ${what}: ${line.trim()}` });
      for (const match of line.matchAll(/§/g)) {
        if (!STANDARD_BEFORE_SECTION.test(line.slice(0, match.index)))
          findings.push({ at, problem: `a bare § section: ${line.trim()}` });
      }
      for (const match of line.matchAll(MARKDOWN_PATH)) {
        const [, target, anchor] = match as unknown as [string, string, string | undefined];
        const candidates = [
          path.posix.normalize(path.posix.join(path.posix.dirname(file), target)),
          path.posix.normalize(target),
        ];
        const found = candidates.find((candidate) => files.has(candidate));
        if (!found) findings.push({ at, problem: `names ${target}, which is not in this repository` });
        else if (anchor && !anchorsFor(found).has(anchor)) findings.push({ at, problem: `${found} has no heading #${anchor}` });
      }
      if (file.endsWith(".md")) {
        for (const match of line.matchAll(/\]\(#([\w-]+)\)/g)) {
          if (!anchorsFor(file).has(match[1]!))
            findings.push({ at, problem: `links to #${match[1]}, which is not a heading here` });
        }
      }
      if (file.startsWith("docs/")) {
        for (const match of line.matchAll(CODE_PATH)) {
          const named = match[1]!.replace(/[.)]+$/, "");
          const exists = fs.existsSync(path.join(ROOT, named));
          if (!exists) findings.push({ at, problem: `names ${named}, which does not exist` });
        }
      }
    });
  }
  return findings;
}

describe("references inside the repository", () => {
  const files = new Map(
    repositoryFiles()
      .filter((file) => TEXT.test(file) && file !== SELF)
      .map((file) => [file, fs.readFileSync(path.join(ROOT, file), "utf8")] as const),
  );

  it("reads the repository's sources, tests, scripts and docs", () => {
    for (const file of ["lib/env.ts", "eslint.config.mjs", "docs/MICROSOFT.md", "docs/PROFILE-FORMAT.md", "README.md"]) {
      expect(files.has(file), file).toBe(true);
    }
  });

  it("no comment or document points at a document outside the repository", () => {
    expect(findOutsideReferences(files)).toEqual([]);
  });

  it("catches each kind of outside reference, and accepts the forms that stay inside", () => {
    const sample = (text: string, extra: [string, string][] = []) =>
      findOutsideReferences(
        new Map([["lib/sample.ts", text], ["docs/GUIDE.md", "# Guide\n\n## Client assertion\n"], ...extra]),
      ).map((f) => f.problem);
    for (const outside of [
      "// see reference §5",
      "// check vector (reference/microsoft-mail-oauth.md §3.1)",
      "/* the staged test (issue 4) */",
      "// CONVENTIONS 13: one env module",
      "// cache (Implications 10)",
      "// copied from ../shared/PROFILE-FORMAT.md",
      "// the error body (§1.5)",
      "// see stack-notes.md",
      "// (PROFILE-FORMAT.md)",
      "// docs/GUIDE.md#token-request",
    ]) {
      expect(sample(outside), outside).not.toEqual([]);
    }
    for (const inside of [
      "// RFC 6749 §2.3.1: form-encoded before base64",
      "// X.690 §11.6",
      "// see docs/GUIDE.md#client-assertion",
      "// forge.md[hashName].create()",
      "// https://github.com/example/project/blob/main/README.md",
    ]) {
      expect(sample(inside), inside).toEqual([]);
    }
    expect(sample("", [["docs/OTHER.md", "See [the guide](GUIDE.md#client-assertion) and [here](#other)."]])).toEqual([
      "links to #other, which is not a heading here",
    ]);
  });
});
