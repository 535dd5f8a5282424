import "server-only";
/**
 * `mcf import <file>`: the console's import (lib/transfer: parse, plan, decisions, one transaction)
 * as the command-line operator. What the console's plan step asks the admin, --on-clash answers
 * for every clash at once; without it a clash is a refusal, so a script never overwrites or
 * renames anything it did not ask for.
 */
import fs from "node:fs";
import path from "node:path";
import type { CliCommand } from "@/lib/cli/command";
import { EXIT, UsageError, parseCommandArgs, type CliIo } from "@/lib/cli/io";
import { passphraseOptions, passphraseUsage, readPassphrase, refusePlainPassphrase } from "@/lib/cli/passphrase";
import { LIMITS } from "@/lib/profiles/schema";
import { secretFieldLabels, type SecretField } from "@/lib/profiles/secret-fields";
import { nameKey } from "@/lib/profiles/summary";
import { looksLikeFlatProperties } from "@/lib/transfer/flat-properties";
import { IMPORT_LIMITS, type ImportError } from "@/lib/transfer/import-error";
import { jsonPath } from "@/lib/transfer/json-path";
import type { CertificatePlan, ImportDecision, ImportPlan, ImportTargets, PlanItem } from "@/lib/transfer/plan-import";

const ON_CLASH = ["rename", "skip", "replace"] as const;
type OnClash = (typeof ON_CLASH)[number];

const plural = (n: number, one: string) => `${n} ${n === 1 ? one : `${one}s`}`;
const secretList = (fields: readonly SecretField[]) => fields.map((f) => secretFieldLabels[f].toLowerCase()).join(", ");

/** Reads a few bytes past the limit at most: a larger file gets the library's "larger than 5 MB" message. */
function readBounded(file: string, shown: string): string {
  let fd: number;
  try {
    fd = fs.openSync(file, "r");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(
      `Cannot read ${shown}: ${code === "ENOENT" ? "no such file" : code === "EISDIR" ? "a folder, not a file" : (code ?? "unreadable")}.`,
    );
  }
  try {
    if (fs.fstatSync(fd).isDirectory()) throw new UsageError(`Cannot read ${shown}: a folder, not a file.`);
    const buffer = Buffer.alloc(IMPORT_LIMITS.maxBytes + 4);
    let length = 0;
    for (let n; length < buffer.length && (n = fs.readSync(fd, buffer, length, buffer.length - length, null)) > 0;) length += n;
    return buffer.subarray(0, length).toString("utf8");
  } finally {
    fs.closeSync(fd);
  }
}

/** "Name (2)", "Name (3)", … : the first name free among existing profiles and this file's own. */
function freeName(name: string, taken: Set<string>): string {
  for (let n = 2; ; n++) {
    const suffix = ` (${n})`;
    const candidate = `${name.trim().slice(0, LIMITS.name - suffix.length)}${suffix}`;
    if (!taken.has(nameKey(candidate))) return candidate;
  }
}

interface Clash {
  path: string;
  message: string;
}

/**
 * One decision per document that needs one, from --on-clash. A second document of the file with an
 * existing profile's name cannot replace that profile as well (the first one does): it is renamed.
 */
function decide(
  plan: ImportPlan,
  targets: ImportTargets,
  onClash: OnClash | undefined,
): { decisions: ImportDecision[]; clashes: Clash[] } {
  const decisions: ImportDecision[] = [];
  const clashes: Clash[] = [];
  const taken = new Set(targets.profiles.map((p) => nameKey(p.name)));
  // names the file creates as they are, so a rename does not land on a later document's name
  for (const item of plan.items) if (!item.needsDecision) taken.add(nameKey(item.name));
  for (const item of plan.items) {
    if (!item.needsDecision) continue;
    const path = jsonPath(["name"], item.path);
    if (!onClash) {
      clashes.push({
        path,
        message: item.clash
          ? `A profile named "${item.clash.name}" already exists: choose --on-clash rename, skip or replace`
          : `Document ${item.sameNameAs! + 1} of this file has the same name: choose --on-clash rename or skip`,
      });
    } else if (onClash === "skip") {
      decisions.push({ index: item.index, action: "skip" });
    } else if (onClash === "replace" && item.clash && item.sameNameAs === null) {
      decisions.push({ index: item.index, action: "replace", expectedVersion: item.clash.version });
    } else {
      const name = freeName(item.name, taken);
      taken.add(nameKey(name));
      decisions.push({ index: item.index, action: "rename", name });
    }
  }
  return { decisions, clashes };
}

function describeCertificate(certificate: CertificatePlan | null): string | null {
  if (!certificate) return null;
  switch (certificate.action) {
    case "store":
      return `certificate ${certificate.subject} stored (SHA-1 ${certificate.sha1Hex})`;
    case "reuse":
      return `certificate already stored as "${certificate.certificate.name}", reused`;
    case "keep_in_profile":
      return `certificate ${certificate.subject} kept in the profile; its private key must be supplied`;
    case "reference":
      return `uses the stored certificate "${certificate.certificate.name}"`;
  }
}

function planLines(
  plan: ImportPlan,
  decisions: ImportDecision[],
): { item: PlanItem; action: string; name: string; line: string }[] {
  const byIndex = new Map(decisions.map((d) => [d.index, d]));
  return plan.items.map((item) => {
    const decision = byIndex.get(item.index) ?? { index: item.index, action: "create" as const };
    const name = decision.action === "rename" ? decision.name : item.name;
    const what =
      decision.action === "skip"
        ? `skip      "${item.name}"`
        : decision.action === "replace"
          ? `replace   "${item.name}" (a new revision of the existing profile)`
          : decision.action === "rename"
            ? `create    "${name}" (renamed from "${item.name}")`
            : `create    "${name}"`;
    const extra = [
      decision.action !== "skip" ? describeCertificate(item.certificate) : null,
      decision.action !== "skip" && item.missingSecrets.length > 0
        ? `missing secrets: ${secretList(item.missingSecrets)} (to be supplied before a Test)`
        : null,
    ].filter(Boolean);
    return {
      item,
      action: decision.action,
      name,
      line: `  ${what}${extra.length ? `\n            ${extra.join("\n            ")}` : ""}`,
    };
  });
}

function refuse(io: CliIo, json: boolean, summary: string, problems: readonly (ImportError | Clash)[], hint?: string): number {
  io.err(`mcf import: ${summary}\n${problems.map((p) => `  ${p.path}: ${p.message}\n`).join("")}${hint ? `${hint}\n` : ""}`);
  if (json)
    io.out(
      `${JSON.stringify({ ok: false, error: summary, issues: problems.map((p) => ({ path: p.path, ...("code" in p ? { code: p.code } : { code: "name_clash" }), message: p.message })) }, null, 2)}\n`,
    );
  return EXIT.refused;
}

export const importCommand: CliCommand = {
  name: "import",
  summary: "Import profiles from an mcf-profile file (or key=value settings), all or nothing",
  usage: [
    "Usage: mcf import <file> [options]",
    "",
    "Imports an export of this or another console (mcf-profile JSON: one document or a list), or the original",
    "product's key=value settings, with the same checks as the console's Import page: every problem is listed",
    "with its JSON path (or line number) and nothing is imported unless everything can be. Secrets the file",
    "leaves out (null) are saved as missing and asked for before the profile's first Test.",
    "",
    "Options:",
    ...passphraseUsage,
    "                            (needed when the file's secrets are encrypted)",
    '  --on-clash <what>         when a name is taken: rename ("Name (2)"), skip, or replace (a new revision',
    "                            of the existing profile). Without it, a clash refuses the import.",
    "  --name <name>             the profile's name, for key=value text without a Name= line",
    "  --dry-run                 check the file and show what would happen; nothing is written",
    "  --json                    print one JSON document { ok, dryRun, created, replaced, skipped, … } on stdout",
    "  -h, --help                show this help",
    "",
    "Exit codes: 0 imported (or --dry-run found nothing in the way), 1 refused (problems in the file, listed with",
    "their JSON paths, or name clashes without --on-clash; nothing was imported), 2 bad usage.",
  ].join("\n"),

  async run(args, io, cwd) {
    refusePlainPassphrase(args, "import");
    const { values, positionals } = parseCommandArgs("import", args, {
      ...passphraseOptions,
      "on-clash": { type: "string" },
      name: { type: "string" },
      "dry-run": { type: "boolean" },
      json: { type: "boolean" },
    });
    if (values.help) {
      io.out(`${this.usage}\n`);
      return EXIT.ok;
    }
    if (positionals.length !== 1)
      throw new UsageError(positionals.length ? "Import one file at a time." : "Which file? mcf import <file>");
    const onClash = values["on-clash"];
    if (onClash !== undefined && !(ON_CLASH as readonly string[]).includes(onClash)) {
      throw new UsageError(`--on-clash takes rename, skip or replace, not "${onClash}".`);
    }
    const json = values.json ?? false;
    const dryRun = values["dry-run"] ?? false;
    const shown = positionals[0]!;
    const passphrase = readPassphrase(values, cwd);
    const text = readBounded(path.resolve(cwd, shown), shown);

    // Loaded here, not at the top: `mcf --help` should not open the database.
    const [
      { requireDatabase },
      { CLI_ACTOR },
      { parseImportFile },
      { planImport, readImportTargets, resolveDecisions },
      { applyImport },
    ] = await Promise.all([
      import("@/lib/cli/load-profile"),
      import("@/lib/auth/access"),
      import("@/lib/transfer/parse-import"),
      import("@/lib/transfer/plan-import"),
      import("@/lib/transfer/apply-import"),
    ]);
    requireDatabase("Cannot import", "");

    const read = await parseImportFile(text, { passphrase, name: values.name });
    if (!read.ok) {
      const needsPassphrase = !passphrase && read.errors.some((e) => e.code === "passphrase_required");
      const needsName = !values.name && looksLikeFlatProperties(text) && read.errors.some((e) => e.path === "$.name");
      const hint = needsPassphrase
        ? "The file's secrets are encrypted: give the export's passphrase with --passphrase-env VAR or --passphrase-file FILE."
        : needsName
          ? 'Name the profile with --name "…" (or add a Name= line to the file).'
          : undefined;
      return refuse(
        io,
        json,
        `${shown} cannot be imported (${plural(read.errors.length, "problem")}); nothing was imported:`,
        read.errors,
        hint,
      );
    }
    const targets = await readImportTargets();
    const plan = planImport(read.documents, targets);
    const blocked = plan.items.flatMap((item) => item.problems);
    if (blocked.length > 0) return refuse(io, json, `${shown} cannot be imported as it is; nothing was imported:`, blocked);
    const { decisions, clashes } = decide(plan, targets, onClash as OnClash | undefined);
    if (clashes.length > 0)
      return refuse(
        io,
        json,
        `${plural(clashes.length, "name")} in ${shown} ${clashes.length === 1 ? "is" : "are"} taken; nothing was imported:`,
        clashes,
      );
    const resolved = resolveDecisions(plan, decisions, targets);
    if (!resolved.ok) return refuse(io, json, `${shown} cannot be imported; nothing was imported:`, resolved.errors);

    const lines = planLines(plan, decisions);
    if (dryRun) {
      if (json) {
        const profiles = lines.map(({ item, action, name }) => ({
          index: item.index,
          path: item.path,
          name: item.name,
          action,
          ...(action === "rename" ? { newName: name } : {}),
          missingSecrets: item.missingSecrets,
          certificate: item.certificate,
          notes: item.notes,
        }));
        io.out(`${JSON.stringify({ ok: true, dryRun: true, source: read.source, profiles }, null, 2)}\n`);
      } else {
        io.out(
          `Dry run: ${shown} is valid; importing it would:\n${lines.map((l) => `${l.line}\n`).join("")}Nothing was written.\n`,
        );
      }
      return EXIT.ok;
    }

    const result = await applyImport(read.documents, decisions, CLI_ACTOR);
    if (!result.ok) return refuse(io, json, `${shown} was not imported:`, result.errors);
    if (json) {
      io.out(
        `${JSON.stringify({ ok: true, dryRun: false, source: read.source, created: result.created, replaced: result.replaced, skipped: result.skipped, certificates: result.certificates }, null, 2)}\n`,
      );
      return EXIT.ok;
    }
    const out: string[] = [
      `Imported ${shown}: ${result.created.length} created, ${result.replaced.length} replaced, ${result.skipped.length} skipped.`,
    ];
    for (const p of result.created)
      out.push(
        `  created   "${p.name}" (id ${p.id})${p.missingSecrets.length ? `, missing secrets: ${secretList(p.missingSecrets)} (to be supplied before a Test)` : ""}`,
      );
    for (const p of result.replaced)
      out.push(
        `  replaced  "${p.name}" (id ${p.id}, revision ${p.version})${p.missingSecrets.length ? `, missing secrets: ${secretList(p.missingSecrets)}` : ""}`,
      );
    for (const p of result.skipped) out.push(`  skipped   "${p.name}"`);
    for (const c of result.certificates.created) out.push(`  stored certificate "${c.name}" (id ${c.id})`);
    for (const c of result.certificates.reused) out.push(`  reused certificate "${c.name}" (id ${c.id})`);
    io.out(`${out.join("\n")}\n`);
    return EXIT.ok;
  },
};
