import "server-only";
/**
 * The export passphrase for `mcf export --with-secrets` and `mcf import`: from an environment
 * variable or a file, never as a plain argument, which would stay in the shell history and show in
 * `ps` to every user of the machine.
 */
import fs from "node:fs";
import path from "node:path";
import { UsageError } from "@/lib/cli/io";

export const passphraseOptions = {
  "passphrase-env": { type: "string" },
  "passphrase-file": { type: "string" },
} as const;

export const passphraseUsage = [
  "  --passphrase-env <VAR>    read the passphrase from this environment variable",
  "  --passphrase-file <path>  read the passphrase from this file (one trailing newline is ignored)",
];

// a passphrase, with room for a newline and a byte-order mark; anything larger is not a passphrase file
const MAX_FILE_BYTES = 8 * 1024;

/** Refuses `--passphrase <value>` and its spellings before the argument parser sees them. */
export function refusePlainPassphrase(args: readonly string[], command: string): void {
  const plain = args.find(
    (a) =>
      a === "--passphrase" || a.startsWith("--passphrase=") || a === "-p" || a === "--password" || a.startsWith("--password="),
  );
  if (plain) {
    throw new UsageError(
      `The passphrase is not taken as an argument: it would stay in your shell history. Use --passphrase-env VAR (e.g. MCF_PASSPHRASE) or --passphrase-file FILE. See mcf ${command} --help.`,
    );
  }
}

/**
 * The variable's name is the operator's choice at run time, so it cannot be part of lib/env.ts's
 * fixed schema: this is the one place the CLI reads an environment variable by a given name.
 */
function readVariable(name: string): string | undefined {
  // eslint-disable-next-line no-restricted-properties -- the variable is named on the command line (see above)
  return process.env[name];
}

export function readPassphrase(
  values: { "passphrase-env"?: string; "passphrase-file"?: string },
  cwd: string,
): string | undefined {
  const variable = values["passphrase-env"];
  const file = values["passphrase-file"];
  if (variable !== undefined && file !== undefined)
    throw new UsageError("Give the passphrase once: --passphrase-env or --passphrase-file, not both.");
  if (variable !== undefined) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable)) {
      throw new UsageError(
        `--passphrase-env takes the NAME of an environment variable (letters, digits, _), not the passphrase itself.`,
      );
    }
    const value = readVariable(variable);
    if (!value)
      throw new UsageError(
        `The environment variable ${variable} is not set, or empty: export ${variable}=… first (or use --passphrase-file).`,
      );
    return value;
  }
  if (file !== undefined) {
    const full = path.resolve(cwd, file);
    let text: string;
    try {
      if (fs.statSync(full).size > MAX_FILE_BYTES)
        throw new UsageError(`${file} is larger than ${MAX_FILE_BYTES / 1024} KB: a passphrase file holds the passphrase only.`);
      text = fs.readFileSync(full, "utf8");
    } catch (error) {
      if (error instanceof UsageError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      throw new UsageError(
        `Cannot read the passphrase file ${file}: ${code === "ENOENT" ? "no such file" : (code ?? "unreadable")}.`,
      );
    }
    // what `echo secret > file` writes: the newline is not part of the passphrase
    const value = text.replace(/^\uFEFF/, "").replace(/\r?\n$/, "");
    if (!value) throw new UsageError(`The passphrase file ${file} is empty.`);
    return value;
  }
  return undefined;
}
