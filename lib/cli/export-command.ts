import "server-only";
/**
 * `mcf export`: stored profiles as an mcf-profile file, through the same library call as the
 * console's Export dialog (lib/transfer/export-profiles.ts), as the command-line operator. The
 * library writes the audit event.
 */
import fs from "node:fs";
import path from "node:path";
import type { CliCommand } from "@/lib/cli/command";
import { EXIT, UsageError, parseCommandArgs } from "@/lib/cli/io";
import { passphraseOptions, passphraseUsage, readPassphrase, refusePlainPassphrase } from "@/lib/cli/passphrase";

const plural = (n: number, one: string) => `${n} ${n === 1 ? one : `${one}s`}`;

export const exportCommand: CliCommand = {
  name: "export",
  summary: "Export stored profiles as an mcf-profile file, secrets left out or encrypted with a passphrase",
  usage: [
    "Usage: mcf export (--all | <profile name | id>...) [options]",
    "",
    "Writes the profiles as mcf-profile documents: one JSON object for one profile, a JSON array for several,",
    'in the order given. Secrets are left out as null ("supply on import") unless --with-secrets is given;',
    "then they are encrypted with a passphrase (scrypt and AES-256-GCM), never written in clear. A stored",
    "certificate travels with the profile that uses it (its private key only inside the encrypted form).",
    "",
    "Options:",
    "  --all                     every stored profile",
    "  --with-secrets            include the secrets, encrypted with the passphrase (at least 8 characters)",
    ...passphraseUsage,
    "  -o, --output <file>       write the file here (default: standard output)",
    "  --force                   overwrite the output file when it exists",
    "  -h, --help                show this help",
    "",
    "The passphrase is never taken as an argument (it would stay in the shell history):",
    "  MCF_PASSPHRASE='…' mcf export --all --with-secrets --passphrase-env MCF_PASSPHRASE -o profiles.json",
    "",
    "Exit codes: 0 exported, 1 refused (e.g. more profiles than one file may hold), 2 bad usage or an unknown profile.",
  ].join("\n"),

  async run(args, io, cwd) {
    refusePlainPassphrase(args, "export");
    const { values, positionals } = parseCommandArgs("export", args, {
      all: { type: "boolean" },
      "with-secrets": { type: "boolean" },
      ...passphraseOptions,
      output: { type: "string", short: "o" },
      force: { type: "boolean" },
    });
    if (values.help) {
      io.out(`${this.usage}\n`);
      return EXIT.ok;
    }
    if (values.all && positionals.length > 0) throw new UsageError("Give --all or profile names, not both.");
    if (!values.all && positionals.length === 0)
      throw new UsageError("Which profiles? mcf export --all, or mcf export <profile name | id>...");
    const passphrase = readPassphrase(values, cwd);
    if (values["with-secrets"] && passphrase === undefined) {
      throw new UsageError(
        "--with-secrets needs a passphrase to encrypt them with: --passphrase-env VAR or --passphrase-file FILE.",
      );
    }
    if (!values["with-secrets"] && passphrase !== undefined) {
      throw new UsageError(
        "A passphrase was given without --with-secrets: add --with-secrets to include the secrets, or leave the passphrase out.",
      );
    }
    const toStdout = values.output === undefined || values.output === "-";
    const output = toStdout ? undefined : path.resolve(cwd, values.output!);
    if (output && !values.force && fs.existsSync(output))
      throw new UsageError(`${values.output} exists already: choose another name, or add --force to overwrite it.`);

    // Loaded here, not at the top: `mcf --help` should not open the database.
    const [{ requireDatabase }, { prisma }, { CLI_ACTOR }, { exportProfiles }, { isAppError }, { nameKey }] = await Promise.all([
      import("@/lib/cli/load-profile"),
      import("@/lib/db/client"),
      import("@/lib/auth/access"),
      import("@/lib/transfer/export-profiles"),
      import("@/lib/errors"),
      import("@/lib/profiles/summary"),
    ]);
    requireDatabase("Nothing to export", "");

    let ids: string[] | "all" = "all";
    if (!values.all) {
      ids = [];
      const unknown: string[] = [];
      for (const ref of positionals) {
        // an id first, then a name (names are unique without regard to case)
        const rows = await prisma.profile.findMany({
          where: { OR: [{ id: ref }, { nameKey: nameKey(ref) }] },
          select: { id: true },
        });
        const found = rows.find((row) => row.id === ref) ?? rows[0];
        if (found) ids.push(found.id);
        else unknown.push(ref);
      }
      if (unknown.length > 0) {
        throw new UsageError(`No stored profile has the name or id ${unknown.map((u) => `"${u}"`).join(", ")}.`);
      }
    }

    let file;
    try {
      file = await exportProfiles(
        ids,
        values["with-secrets"] ? { includeSecrets: true, passphrase: passphrase! } : { includeSecrets: false },
        CLI_ACTOR,
      );
    } catch (error) {
      if (!isAppError(error)) throw error;
      // a passphrase that breaks the rules is the operator's input to fix; the rest is a refusal
      if (error.code === "invalid_input") throw new UsageError(error.userMessage);
      io.err(`mcf export: ${error.userMessage}\n`);
      return EXIT.refused;
    }

    const count = file.documents.length;
    const secrets = values["with-secrets"]
      ? "secrets encrypted with the passphrase"
      : 'secrets left out (null: "supply on import")';
    if (!output) {
      io.out(file.json);
      io.err(`Exported ${plural(count, "profile")}, ${secrets}.\n`);
      return EXIT.ok;
    }
    // a file with secrets, even encrypted ones, is readable by its owner only
    fs.writeFileSync(output, file.json, { encoding: "utf8", mode: values["with-secrets"] ? 0o600 : 0o644 });
    if (values["with-secrets"]) fs.chmodSync(output, 0o600);
    io.out(`Exported ${plural(count, "profile")} to ${values.output}, ${secrets}.\n`);
    return EXIT.ok;
  },
};
