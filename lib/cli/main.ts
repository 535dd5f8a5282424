import "server-only";
/**
 * The `mcf` command line (scripts/mcf.mjs loads this through tsx). Dispatches to one command per
 * module; prints usage errors and invalid-profile messages (with their JSON paths) to stderr with
 * exit code 2, and never a stack trace: an unexpected error is logged by name and reported briefly.
 */
import type { CliCommand } from "@/lib/cli/command";
import { EXIT, UsageError, type CliIo } from "@/lib/cli/io";
import { testCommand } from "@/lib/cli/test-command";
import { exportCommand } from "@/lib/cli/export-command";
import { importCommand } from "@/lib/cli/import-command";

const commands: CliCommand[] = [testCommand, exportCommand, importCommand];

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    "mcf — MCF Console on the command line",
    "",
    "Usage: mcf <command> [options]",
    "",
    "Commands:",
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    "",
    "Run mcf <command> --help for a command's options. Configuration comes from the same environment as",
    "the console (DATABASE_URL, MCF_DATA_DIR, MCF_SECRET_KEY, NODE_EXTRA_CA_CERTS; see .env.example).",
    "",
  ].join("\n");
}

export async function main(argv: string[], io: CliIo, cwd: string): Promise<number> {
  const [name, ...args] = argv;
  if (!name || name === "--help" || name === "-h" || name === "help") {
    const topic = name === "help" ? commands.find((c) => c.name === args[0]) : undefined;
    io.out(topic ? `${topic.usage}\n` : help());
    return name ? EXIT.ok : EXIT.usage;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    io.err(`mcf: unknown command "${name}".\n\n${help()}`);
    return EXIT.usage;
  }
  const json = args.includes("--json");
  try {
    return await command.run(args, io, cwd);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`mcf ${command.name}: ${error.message}\n${error.issues.map((i) => `  ${i.path}: ${i.message}\n`).join("")}`);
      // With --json a script still gets one JSON document on stdout.
      if (json) io.out(`${JSON.stringify({ ok: false, error: error.message, issues: error.issues }, null, 2)}\n`);
      return EXIT.usage;
    }
    const label =
      error instanceof Error
        ? `${error.name}${(error as NodeJS.ErrnoException).code ? ` (${(error as NodeJS.ErrnoException).code})` : ""}`
        : typeof error;
    io.err(`mcf ${command.name}: stopped on an unexpected error: ${label}.\n`);
    if (json) io.out(`${JSON.stringify({ ok: false, error: `unexpected error: ${label}`, issues: [] }, null, 2)}\n`);
    return EXIT.usage;
  }
}
