import "server-only";
import type { CliIo } from "@/lib/cli/io";

/** One `mcf <name>` command. New commands (export, import) are added to the list in main.ts. */
export interface CliCommand {
  name: string;
  /** one line for `mcf --help` */
  summary: string;
  /** the full `mcf <name> --help` text */
  usage: string;
  /** returns the exit code; throws UsageError for exit code 2 */
  run(args: string[], io: CliIo, cwd: string): Promise<number>;
}
